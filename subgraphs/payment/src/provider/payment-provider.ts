/**
 * The port to a card payment provider. The domain only sees this; the simulated adapter stands
 * in for a real one (e.g. Stripe), which could be added without touching the payment rules.
 * Every call carries an idempotency key, as real providers take one: the same key never
 * charges or refunds twice.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** What the provider knows of a charge made with this idempotency key (for reconciliation). */
  retrieve(idempotencyKey: string): Promise<ChargeResult | undefined>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}

export interface ChargeRequest {
  amountMinor: number;
  currency: string;
  /** The card token the client got from the provider's SDK. */
  token: string;
  idempotencyKey: string;
  metadata: { paymentId: string; bookingId: string };
}

export type ChargeResult =
  | { status: 'succeeded'; chargeId: string }
  /** Accepted; the outcome arrives later by signed webhook. */
  | { status: 'pending'; chargeId: string }
  | { status: 'declined'; chargeId: string; reason: string };

/**
 * What a provider posts to the webhook endpoint about a charge it answered `pending`: part of
 * the port, because the route must read it whichever provider sent it.
 */
export interface WebhookEvent {
  /** Delivery id: a retried delivery carries the same one. */
  id: string;
  type: 'charge.succeeded' | 'charge.failed';
  created: number;
  data: { chargeId: string; idempotencyKey: string; reason?: string };
}

export interface RefundRequest {
  chargeId: string;
  amountMinor: number;
  idempotencyKey: string;
}

/** The provider failed or did not answer; whether money moved is unknown until reconciled. */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

/** Runs a provider call with a deadline: a provider that never answers must not hang a request. */
export async function withDeadline<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProviderUnavailableError(`payment provider did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
