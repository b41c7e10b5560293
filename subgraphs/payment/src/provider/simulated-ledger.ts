import type { MikroORM } from '@mikro-orm/postgresql';
import type { ChargeResult } from './payment-provider';

export type LedgerCharge = ChargeResult & { amountMinor: number; paymentId?: string; createdAt: Date };
export type LedgerRefund = { refundId: string; chargeId: string; amountMinor: number };

/**
 * Where the simulated provider keeps its charges and refunds: in PostgreSQL, so they outlive a
 * restart of the payment service as a real provider's records do (see the migration).
 */
export class SimulatedLedger {
  constructor(private readonly orm: MikroORM) {}

  async chargeByKey(idempotencyKey: string): Promise<LedgerCharge | undefined> {
    const [row] = await this.orm.em.fork().execute<ChargeRow[]>('select * from simulated_provider_charge where idempotency_key = ?', [idempotencyKey]);
    return row && toCharge(row);
  }

  async chargeById(chargeId: string): Promise<LedgerCharge | undefined> {
    const [row] = await this.orm.em.fork().execute<ChargeRow[]>('select * from simulated_provider_charge where charge_id = ?', [chargeId]);
    return row && toCharge(row);
  }

  /** Records a charge once; a concurrent duplicate of the same key keeps the first. */
  async saveCharge(idempotencyKey: string, charge: LedgerCharge): Promise<void> {
    await this.orm.em.fork().execute(
      `insert into simulated_provider_charge (idempotency_key, charge_id, status, reason, amount_minor, payment_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (idempotency_key) do update set status = excluded.status, reason = excluded.reason`,
      [idempotencyKey, charge.chargeId, charge.status, 'reason' in charge ? charge.reason : null, charge.amountMinor, charge.paymentId ?? null, charge.createdAt],
    );
  }

  async refundByKey(idempotencyKey: string): Promise<LedgerRefund | undefined> {
    const [row] = await this.orm.em.fork().execute<Array<{ refund_id: string; charge_id: string; amount_minor: string }>>('select * from simulated_provider_refund where idempotency_key = ?', [idempotencyKey]);
    return row && { refundId: row.refund_id, chargeId: row.charge_id, amountMinor: Number(row.amount_minor) };
  }

  async saveRefund(idempotencyKey: string, refund: LedgerRefund): Promise<void> {
    await this.orm.em.fork().execute(
      `insert into simulated_provider_refund (idempotency_key, refund_id, charge_id, amount_minor) values (?, ?, ?, ?) on conflict (idempotency_key) do nothing`,
      [idempotencyKey, refund.refundId, refund.chargeId, refund.amountMinor],
    );
  }
}

interface ChargeRow {
  charge_id: string;
  status: 'succeeded' | 'declined' | 'pending';
  reason: string | null;
  amount_minor: string;
  payment_id: string | null;
  created_at: Date;
}

function toCharge(row: ChargeRow): LedgerCharge {
  const base = { chargeId: row.charge_id, amountMinor: Number(row.amount_minor), paymentId: row.payment_id ?? undefined, createdAt: new Date(row.created_at) };
  return (row.status === 'declined' ? { ...base, status: 'declined', reason: row.reason ?? 'declined' } : { ...base, status: row.status }) as LedgerCharge;
}
