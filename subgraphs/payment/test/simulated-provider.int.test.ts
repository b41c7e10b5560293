import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm } from '@eventix/subgraph-kit';
import { createTestDatabase, type TestDatabase } from '@eventix/testing';
import { paymentMigrations } from '../migrations';
import { paymentEntities } from '../src/server';
import { SimulatedLedger } from '../src/provider/simulated-ledger';
import { SimulatedProvider } from '../src/provider/simulated.provider';

/**
 * The fault suite found paid bookings that were cancelled after a restart of the payment
 * service and never refunded: the simulated provider kept its charges in memory, so the new
 * process refused to refund a charge the old one had made (and the refund worker then stopped
 * at that payment). A provider's records outlive our restarts; the simulator's now do too.
 */
describe('simulated provider across a restart of the payment service (real PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase('payment_provider');
    orm = await initOrm({ name: 'payment', clientUrl: db.url, entities: paymentEntities, migrations: paymentMigrations });
  });
  afterAll(async () => {
    await orm.close();
    await db.drop();
  });

  // Each "process" has its own in-memory state and shares only the database.
  const process = () => new SimulatedProvider({ webhookUrl: () => undefined, webhookSecret: 'whsec_test_only_0123456789', asyncDelayMs: 50, ledger: new SimulatedLedger(orm) });
  const request = (key: string, token: string) => ({ amountMinor: 2500, currency: 'EUR', token, idempotencyKey: key, metadata: { paymentId: key, bookingId: key } });

  it('refunds, once, a charge made before the restart', async () => {
    const before = process();
    const charge = await before.charge(request('pay-1', 'tok_visa'));
    expect(charge.status).toBe('succeeded');
    before.close();

    const after = process();
    const refund = await after.refund({ chargeId: charge.chargeId, amountMinor: 2500, idempotencyKey: 'refund:pay-1' });
    // The same refund key again (a retry after a crash) is the same refund, not a second one.
    expect(await process().refund({ chargeId: charge.chargeId, amountMinor: 2500, idempotencyKey: 'refund:pay-1' })).toEqual(refund);
    // And the same charge key is the same charge, never a second one.
    expect(await after.charge(request('pay-1', 'tok_visa'))).toEqual(charge);
  });

  it('completes a pending charge whose webhook died with the old process, so reconciliation can settle it', async () => {
    const before = process();
    const pending = await before.charge(request('pay-async', 'tok_async'));
    expect(pending.status).toBe('pending');
    before.close(); // the timer that would have confirmed it is gone
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await process().retrieve('pay-async')).toEqual({ status: 'succeeded', chargeId: pending.chargeId });
  });

  it('still refuses to refund a charge it never made', async () => {
    await expect(process().refund({ chargeId: 'ch_unknown', amountMinor: 1, idempotencyKey: 'refund:x' })).rejects.toThrow(/no succeeded charge/);
  });
});
