import { classifyDeliveryError, DeliveryAbortedError, type DeliveryFailure } from './delivery-errors';
import type { EventEnvelope } from './envelope';

/**
 * Handles one message; throwing means "not processed" and the transport retries it. Throw
 * UnprocessableMessageError for a message no retry can fix (it is dead-lettered at once).
 */
export type MessageHandler = (message: EventEnvelope, topic: string) => Promise<void>;

export interface SubscribeOptions {
  /** Consumers sharing a group id split the messages; each group sees every message once. */
  groupId: string;
  topics: string[];
  handle: MessageHandler;
}

/** One topic's share of a batch, in publishing order. */
export interface TopicMessages {
  topic: string;
  messages: readonly EventEnvelope[];
}

export type Unsubscribe = () => Promise<void>;

/**
 * The port every service publishes and consumes through. Kafka in tests, CI and production;
 * in-process in the embedded mode. Domain code never sees which: it writes to the outbox, and
 * the relay hands committed rows to the transport.
 */
export interface EventTransport {
  readonly kind: 'kafka' | 'in-process';
  /** Resolves once the messages are durable (Kafka acks) or delivered (in-process). */
  publish(topic: string, messages: readonly EventEnvelope[]): Promise<void>;
  /**
   * Several topics' messages in one round trip, each topic's in the given order (the relay's
   * batch). Optional: without it the relay publishes topic by topic.
   */
  publishBatch?(batches: readonly TopicMessages[]): Promise<void>;
  /** Resolves once the subscription is live, so a message published afterwards reaches it. */
  subscribe(options: SubscribeOptions): Promise<Unsubscribe>;
  close(): Promise<void>;
  /** Resolves when the transport can reach its broker (readiness probes). */
  ping(): Promise<void>;
}

export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

/** How a consumer retries a failing handler (see {@link classifyDeliveryError}). */
export interface RetryPolicy {
  /** Attempts for a failure that is neither transient nor permanent, before dead-lettering. */
  maxAttempts: number;
  /** First wait; each further failure doubles it, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 };

export type DeliveryResult =
  | { delivered: true; attempts: number }
  | { delivered: false; attempts: number; error: Error; failure: DeliveryFailure };

export interface RetryEvent {
  error: Error;
  failure: DeliveryFailure;
  /** Attempts made so far, the failed one included. */
  attempt: number;
  delayMs: number;
}

export interface DeliveryOptions {
  policy?: RetryPolicy;
  /** Aborted when the transport closes: the loop stops waiting and throws DeliveryAbortedError. */
  signal?: AbortSignal;
  onRetry?: (retry: RetryEvent) => void;
}

/**
 * Runs `handle` until it succeeds or its message is judged hopeless. Transient failures (the
 * database or a broker is unreachable) are retried without limit, with capped exponential
 * backoff: losing a payment result to a ten-second outage is worse than stalling a partition
 * for ten seconds. Permanent failures return at once, unknown ones after `maxAttempts`.
 * Throws {@link DeliveryAbortedError} when `signal` aborts before the message was handled.
 */
export async function deliverWithRetries(handle: () => Promise<void>, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  let attempts = 0;
  let unknownFailures = 0;
  for (;;) {
    if (options.signal?.aborted) throw new DeliveryAbortedError();
    attempts += 1;
    let error: Error;
    try {
      await handle();
      return { delivered: true, attempts };
    } catch (thrown) {
      // Duck-typed: node's own errors are not `instanceof Error` inside jest's sandbox.
      const errorLike = typeof thrown === 'object' && thrown !== null && typeof (thrown as Error).message === 'string';
      error = errorLike ? (thrown as Error) : new Error(String(thrown), { cause: thrown });
    }
    if (options.signal?.aborted) throw new DeliveryAbortedError(error);
    const failure = classifyDeliveryError(error);
    if (failure.kind === 'permanent') return { delivered: false, attempts, error, failure };
    // Only unknown failures count towards the limit: an outage in the middle of a run of
    // handler errors must not use up the message's attempts.
    if (failure.kind === 'unknown' && ++unknownFailures >= policy.maxAttempts) return { delivered: false, attempts, error, failure };
    const delayMs = backoffDelay(policy, attempts);
    options.onRetry?.({ error, failure, attempt: attempts, delayMs });
    await abortableSleep(delayMs, options.signal).catch((reason: unknown) => {
      throw reason instanceof DeliveryAbortedError ? new DeliveryAbortedError(error) : reason;
    });
  }
}

/** Exponential backoff with jitter in [½, 1] of the step, so restarted consumers do not retry in lockstep. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(step / 2 + (Math.random() * step) / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps `ms`, or rejects with DeliveryAbortedError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new DeliveryAbortedError());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliveryAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
