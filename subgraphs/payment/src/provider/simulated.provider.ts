import { randomUUID } from 'node:crypto';
import { signWebhook, SIGNATURE_HEADER } from '../webhook/webhook-signature';
import { ProviderUnavailableError, type ChargeRequest, type ChargeResult, type PaymentProvider, type RefundRequest, type WebhookEvent } from './payment-provider';
import type { LedgerCharge, SimulatedLedger } from './simulated-ledger';

/**
 * Test card tokens, named as card providers name theirs:
 * - `tok_visa`               succeeds at once
 * - `tok_chargeDeclined`     declined (`card_declined`)
 * - `tok_insufficientFunds`  declined (`insufficient_funds`)
 * - `tok_async`              accepted as pending; confirmed later by a signed `charge.succeeded` webhook
 * - `tok_providerError`      the provider fails (an HTTP 5xx at a real provider); nothing is charged
 * - `tok_timeout`            the provider never answers; nothing is ever charged
 * Any other token is declined as `invalid_token`.
 */
export const TEST_TOKENS = ['tok_visa', 'tok_chargeDeclined', 'tok_insufficientFunds', 'tok_async', 'tok_providerError', 'tok_timeout'] as const;

export interface SimulatedProviderOptions {
  /** Where the provider posts webhooks (the payment subgraph's endpoint), known after listen. */
  webhookUrl: () => string | undefined;
  webhookSecret: string;
  /** How long a `tok_async` charge stays pending before its webhook. */
  asyncDelayMs?: number;
  log?: (message: string) => void;
  /** Durable records (PostgreSQL): charges made before a restart can still be refunded or settled. */
  ledger?: SimulatedLedger;
}

/**
 * A card provider simulated in process, with the behaviour the payment rules must survive:
 * idempotency keys, declines, asynchronous confirmation by signed webhook (retried until the
 * endpoint answers 2xx), provider errors and calls that never return.
 */
export class SimulatedProvider implements PaymentProvider {
  private readonly charges = new Map<string, LedgerCharge>();
  private readonly refunds = new Map<string, { refundId: string; chargeId: string; amountMinor: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: SimulatedProviderOptions) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const known = await this.knownCharge(request.idempotencyKey);
    if (known) return strip(known);
    const chargeId = `ch_${randomUUID().replace(/-/g, '')}`;
    switch (request.token) {
      case 'tok_visa':
        return this.record(request, { status: 'succeeded', chargeId });
      case 'tok_chargeDeclined':
        return this.record(request, { status: 'declined', chargeId, reason: 'card_declined' });
      case 'tok_insufficientFunds':
        return this.record(request, { status: 'declined', chargeId, reason: 'insufficient_funds' });
      case 'tok_async': {
        const result = await this.record(request, { status: 'pending', chargeId });
        this.later(this.options.asyncDelayMs ?? 300, async () => {
          const completed: LedgerCharge = { status: 'succeeded', chargeId, amountMinor: request.amountMinor, paymentId: request.metadata.paymentId, createdAt: new Date() };
          this.charges.set(request.idempotencyKey, completed);
          await this.options.ledger?.saveCharge(request.idempotencyKey, completed).catch((error: Error) => this.options.log?.(`simulated provider: ledger write failed: ${error.message}`));
          await this.sendWebhook({ id: randomUUID(), type: 'charge.succeeded', created: Math.floor(Date.now() / 1000), data: { chargeId, idempotencyKey: request.idempotencyKey } });
        });
        return result;
      }
      case 'tok_providerError':
        throw new ProviderUnavailableError('payment provider answered 502 Bad Gateway');
      case 'tok_timeout':
        return new Promise<never>(() => undefined);
      default:
        return this.record(request, { status: 'declined', chargeId, reason: 'invalid_token' });
    }
  }

  async retrieve(idempotencyKey: string): Promise<ChargeResult | undefined> {
    const known = await this.knownCharge(idempotencyKey);
    // A pending charge whose webhook timer died with a previous process completes as it would
    // have: the provider's own work does not stop when our service restarts.
    if (known?.status === 'pending' && Date.now() - known.createdAt.getTime() > (this.options.asyncDelayMs ?? 300)) {
      const completed: LedgerCharge = { ...known, status: 'succeeded' };
      this.charges.set(idempotencyKey, completed);
      await this.options.ledger?.saveCharge(idempotencyKey, completed);
      return strip(completed);
    }
    return known && strip(known);
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const known = this.refunds.get(request.idempotencyKey) ?? (await this.options.ledger?.refundByKey(request.idempotencyKey));
    if (known) return { refundId: known.refundId };
    const charge = [...this.charges.values()].find((c) => c.chargeId === request.chargeId) ?? (await this.options.ledger?.chargeById(request.chargeId));
    if (!charge || charge.status !== 'succeeded') throw new ProviderUnavailableError(`no succeeded charge ${request.chargeId} to refund`);
    const refund = { refundId: `re_${randomUUID().replace(/-/g, '')}`, chargeId: request.chargeId, amountMinor: request.amountMinor };
    await this.options.ledger?.saveRefund(request.idempotencyKey, refund);
    this.refunds.set(request.idempotencyKey, refund);
    return { refundId: refund.refundId };
  }

  /** Charges the provider made for one payment (tests assert "charged once" against its own records). */
  chargesFor(paymentId: string): number {
    return [...this.charges.values()].filter((c) => c.paymentId === paymentId).length;
  }

  /** Refunds made so far (tests assert "exactly once" against the provider's own records). */
  refundsOf(chargeId: string): number {
    return [...this.refunds.values()].filter((r) => r.chargeId === chargeId).length;
  }

  /** Posts a signed webhook, retrying a few times like real providers do. */
  async sendWebhook(event: WebhookEvent, attempts = 5): Promise<void> {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const url = this.options.webhookUrl();
      try {
        if (url) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(this.options.webhookSecret, body, Math.floor(Date.now() / 1000)) },
            body,
          });
          if (response.ok) return;
        }
      } catch (error) {
        this.options.log?.(`simulated provider: webhook delivery failed: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }

  /** Stops pending webhooks (shutdown). */
  close(): void {
    this.timers.forEach(clearTimeout);
    this.timers.clear();
  }

  private async record(request: ChargeRequest, result: ChargeResult): Promise<ChargeResult> {
    const charge: LedgerCharge = { ...result, amountMinor: request.amountMinor, paymentId: request.metadata.paymentId, createdAt: new Date() };
    await this.options.ledger?.saveCharge(request.idempotencyKey, charge);
    this.charges.set(request.idempotencyKey, charge);
    return result;
  }

  private async knownCharge(idempotencyKey: string): Promise<LedgerCharge | undefined> {
    const inMemory = this.charges.get(idempotencyKey);
    if (inMemory) return inMemory;
    const stored = await this.options.ledger?.chargeByKey(idempotencyKey);
    if (stored) this.charges.set(idempotencyKey, stored);
    return stored;
  }

  private later(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, ms);
    this.timers.add(timer);
  }
}

function strip(result: LedgerCharge): ChargeResult {
  const { amountMinor: _amount, paymentId: _payment, createdAt: _created, ...rest } = result;
  return rest as ChargeResult;
}
