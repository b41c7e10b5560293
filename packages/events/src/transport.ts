import type { EventEnvelope } from './envelope';

/** Handles one message; throwing means "not processed" and the transport redelivers it. */
export type MessageHandler = (message: EventEnvelope, topic: string) => Promise<void>;

export interface SubscribeOptions {
  /** Consumers sharing a group id split the messages; each group sees every message once. */
  groupId: string;
  topics: string[];
  handle: MessageHandler;
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
  /** Resolves once the subscription is live, so a message published afterwards reaches it. */
  subscribe(options: SubscribeOptions): Promise<Unsubscribe>;
  close(): Promise<void>;
  /** Resolves when the transport can reach its broker (readiness probes). */
  ping(): Promise<void>;
}

/** How often a failing handler is retried before its message goes to the dead letters. */
export const MAX_DELIVERY_ATTEMPTS = 5;

export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

/** Runs `handle` with bounded retries; returns the last error when every attempt failed. */
export async function deliverWithRetries(
  handle: () => Promise<void>,
  attempts = MAX_DELIVERY_ATTEMPTS,
  baseDelayMs = 50,
): Promise<Error | undefined> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await handle();
      return undefined;
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
  }
  return lastError;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
