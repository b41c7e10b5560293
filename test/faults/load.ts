import crypto from 'node:crypto';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { operations } from '@eventix/testing';

/** What one load run saw, counted per request. */
export interface LoadStats {
  requests: number;
  ok: number;
  /** Requests by error: `extensions.code` (each code once per response), NETWORK, TIMEOUT, NON_JSON, NO_CODE. */
  errors: Record<string, number>;
  /** Responses with an HTTP status of 500 or more (counted besides their codes). */
  http5xx: number;
  byOperation: Record<string, { requests: number; errors: number }>;
  bookingsCreated: number;
  paymentsSucceeded: number;
  /** Times a user found no seat it believed free and waited instead (a drained pool, not a platform error). */
  noSeatLeft: number;
}

export interface LoadOptions {
  gatewayUrl: string;
  eventId: string;
  seatIds: string[];
  /** One bearer token per virtual user. */
  tokens: string[];
  /** Seats held by an abandoned booking come back into the pool after this (the hold TTL plus a margin). */
  abandonedSeatsReturnAfterMs: number;
  requestTimeoutMs?: number;
}

/** `answered`: the gateway gave a GraphQL answer (an error), as opposed to no answer at all. */
type Outcome = { ok: true; data: unknown } | { ok: false; answered: boolean };

const THINK_MS = [100, 300] as const;
const BACKOFF_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(Math.random() * (hi - lo));

/**
 * Bounded booking traffic through the gateway over HTTP: each virtual user books 1–3 random seats
 * it believes free, then mostly pays with tok_visa (some of those cancel afterwards: a refund),
 * sometimes with tok_chargeDeclined, sometimes cancels, and sometimes walks away (the hold
 * expires). Every request is counted by outcome; failures never stop a user, so the load keeps
 * running through a fault.
 */
export class Load {
  readonly stats: LoadStats = { requests: 0, ok: 0, errors: {}, http5xx: 0, byOperation: {}, bookingsCreated: 0, paymentsSucceeded: 0, noSeatLeft: 0 };
  private running = false;
  private users: Promise<void>[] = [];
  private readonly free: Set<string>;
  private readonly returning: Array<{ at: number; seatIds: string[] }> = [];
  private readonly paidListeners = new Set<(bookingId: string) => void>();

  constructor(private readonly options: LoadOptions) {
    this.free = new Set(options.seatIds);
  }

  start(): void {
    this.running = true;
    this.users = this.options.tokens.map((token) => this.user(token));
  }

  /** Stops issuing requests and resolves once every user's last request has finished. */
  async stop(): Promise<LoadStats> {
    this.running = false;
    await Promise.all(this.users);
    return this.stats;
  }

  /** Calls `listener` with the booking id each time payBooking answers SUCCEEDED; returns the unsubscribe. */
  onPaymentSucceeded(listener: (bookingId: string) => void): () => void {
    this.paidListeners.add(listener);
    return () => this.paidListeners.delete(listener);
  }

  private async user(token: string): Promise<void> {
    while (this.running) {
      await this.oneBooking(token);
      await sleep(between(THINK_MS));
    }
  }

  private takeSeats(): string[] {
    const now = Date.now();
    for (let i = this.returning.length - 1; i >= 0; i--) {
      if (this.returning[i].at <= now) {
        for (const id of this.returning[i].seatIds) this.free.add(id);
        this.returning.splice(i, 1);
      }
    }
    const pool = [...this.free];
    const count = Math.min(pool.length, 1 + Math.floor(Math.random() * 3));
    const picked: string[] = [];
    while (picked.length < count) {
      const id = pool.splice(Math.floor(Math.random() * pool.length), 1)[0];
      picked.push(id);
    }
    return picked;
  }

  private release(seatIds: string[], afterMs = 0): void {
    if (afterMs) this.returning.push({ at: Date.now() + afterMs, seatIds });
    else for (const id of seatIds) this.free.add(id);
  }

  private async oneBooking(token: string): Promise<void> {
    const seatIds = this.takeSeats();
    if (!seatIds.length) {
      this.stats.noSeatLeft++;
      await sleep(BACKOFF_MS);
      return;
    }
    for (const id of seatIds) this.free.delete(id);
    const created = await this.request(token, 'createBooking', operations.CreateBookingDocument, { input: { eventId: this.options.eventId, seatIds, idempotencyKey: crypto.randomUUID() } });
    if (!created.ok) {
      // An error answer means no hold (or one the next user will meet as SEAT_UNAVAILABLE); with
      // no answer at all a hold may have been taken: those seats come back like an abandoned hold.
      // Keeping errored seats out for long would drain the pool during an outage.
      this.release(seatIds, created.answered ? 0 : this.options.abandonedSeatsReturnAfterMs);
      return;
    }
    this.stats.bookingsCreated++;
    const bookingId = (created.data as { createBooking: { id: string } }).createBooking.id;
    const roll = Math.random();
    if (roll < 0.6) {
      const paid = await this.request(token, 'payBooking', operations.PayBookingDocument, { input: { bookingId, paymentMethodToken: 'tok_visa' } });
      const status = paid.ok ? (paid.data as { payBooking: { status: string } }).payBooking.status : undefined;
      if (status === 'SUCCEEDED') {
        this.stats.paymentsSucceeded++;
        for (const listener of this.paidListeners) listener(bookingId);
      }
      if (status === 'SUCCEEDED' && roll < 0.1) {
        const cancelled = await this.request(token, 'cancelBooking', operations.CancelBookingDocument, { id: bookingId });
        this.release(seatIds, cancelled.ok ? 0 : this.options.abandonedSeatsReturnAfterMs);
      } else if (status !== 'SUCCEEDED') {
        this.release(seatIds, this.options.abandonedSeatsReturnAfterMs);
      }
    } else if (roll < 0.75) {
      await this.request(token, 'payBooking', operations.PayBookingDocument, { input: { bookingId, paymentMethodToken: 'tok_chargeDeclined' } });
      this.release(seatIds, this.options.abandonedSeatsReturnAfterMs);
    } else if (roll < 0.9) {
      const cancelled = await this.request(token, 'cancelBooking', operations.CancelBookingDocument, { id: bookingId });
      this.release(seatIds, cancelled.ok ? 0 : this.options.abandonedSeatsReturnAfterMs);
    } else {
      this.release(seatIds, this.options.abandonedSeatsReturnAfterMs);
    }
  }

  private count(operation: string, error?: string[]): void {
    const op = (this.stats.byOperation[operation] ??= { requests: 0, errors: 0 });
    this.stats.requests++;
    op.requests++;
    if (!error) {
      this.stats.ok++;
      return;
    }
    op.errors++;
    for (const code of new Set(error)) this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  private async request<Data, Variables>(token: string, operation: string, document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Outcome> {
    let response: Response;
    try {
      response = await fetch(this.options.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(document), variables }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
    } catch (error) {
      const name = (error as Error).name;
      this.count(operation, [name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK']);
      await sleep(BACKOFF_MS);
      return { ok: false, answered: false };
    }
    if (response.status >= 500) this.stats.http5xx++;
    let body: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: unknown } }> };
    try {
      body = JSON.parse(await response.text()) as typeof body;
    } catch {
      this.count(operation, ['NON_JSON']);
      return { ok: false, answered: true };
    }
    if (body.errors?.length || !body.data?.[operation]) {
      this.count(operation, (body.errors ?? [{}]).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'NO_CODE')));
      return { ok: false, answered: true };
    }
    this.count(operation);
    return { ok: true, data: body.data };
  }
}
