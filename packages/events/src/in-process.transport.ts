import type { EventEnvelope } from './envelope';
import { handleInMessageTrace } from './tracing';
import { DeliveryAbortedError, type DeliveryFailure } from './delivery-errors';
import { countDeadLetter, countDeliveryRetry } from './metrics';
import {
  DEFAULT_RETRY_POLICY,
  deliverWithRetries,
  type EventTransport,
  type MessageHandler,
  type RetryPolicy,
  type SubscribeOptions,
  type Unsubscribe,
} from './transport';

interface Member {
  handle: MessageHandler;
  /** Aborted on unsubscribe: a retry loop running for this member stops waiting. */
  leaving: AbortController;
}

/** A message the bus gave up on for one group, kept until it is replayed. */
export interface InProcessDeadLetter {
  topic: string;
  groupId: string;
  message: EventEnvelope;
  error: Error;
  failure: DeliveryFailure;
  attempts: number;
}

export interface InProcessTransportOptions {
  /** Called once a message is dead-lettered (after it was counted). */
  onDeadLetter?: (deadLetter: InProcessDeadLetter) => void;
  /** Called when a handler attempt fails and will be retried. */
  onRetry?: (retry: { topic: string; groupId: string; message: EventEnvelope; error: Error; failure: DeliveryFailure; attempt: number; delayMs: number }) => void;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. */
  retry?: Partial<RetryPolicy>;
}

/**
 * The embedded-mode transport: every service of the platform runs in one Node process and
 * shares one bus. It keeps Kafka's semantics that domain code relies on — each consumer group
 * gets every message once, members of a group split the work, a failing handler is retried
 * (without limit while the failure is an outage) and only a hopeless message is dead-lettered,
 * and a group that subscribes late still reads the topic from the start. `publish` resolves
 * only when every subscribed group has handled the messages, so the relay marks an outbox row
 * published only after it was processed; when the bus closes mid-retry `publish` rejects and
 * the row stays pending.
 */
export class InProcessTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  private readonly log = new Map<string, EventEnvelope[]>();
  private readonly groups = new Map<string, Map<string, Member[]>>();
  private readonly cursor = new Map<string, number>();
  /** Dead letters live in memory only: the embedded mode has no broker to keep them in. */
  readonly deadLetters: InProcessDeadLetter[] = [];
  private readonly policy: RetryPolicy;
  private readonly closing = new AbortController();

  constructor(private readonly options: InProcessTransportOptions = {}) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  async publish(topic: string, messages: readonly EventEnvelope[]): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('transport is closed');
    const topicLog = this.log.get(topic) ?? [];
    this.log.set(topic, topicLog);
    topicLog.push(...messages);
    await this.pump(topic);
  }

  async subscribe({ groupId, topics, handle }: SubscribeOptions): Promise<Unsubscribe> {
    const member: Member = { handle, leaving: new AbortController() };
    for (const topic of topics) {
      const byGroup = this.groups.get(topic) ?? new Map<string, Member[]>();
      this.groups.set(topic, byGroup);
      byGroup.set(groupId, [...(byGroup.get(groupId) ?? []), member]);
    }
    // A new group starts at the beginning of each topic, like a Kafka group with fromBeginning.
    await Promise.all(topics.map((topic) => this.pump(topic)));
    return async () => {
      for (const topic of topics) {
        const byGroup = this.groups.get(topic);
        const members = byGroup?.get(groupId)?.filter((m) => m !== member) ?? [];
        if (members.length) byGroup?.set(groupId, members);
        else byGroup?.delete(groupId);
      }
      // After the removal, so the interrupted delivery finds the remaining members (or none).
      member.leaving.abort();
    };
  }

  /**
   * Publishes the dead letters of `topic` again (each message once, even if several groups gave
   * up on it), like `npm run dlq:replay` does for Kafka; returns how many. Consumers de-duplicate
   * on the message id, so groups that had handled a message ignore it.
   */
  async replayDeadLetters(topic: string): Promise<number> {
    const ids = new Set<string>();
    const messages: EventEnvelope[] = [];
    for (let i = this.deadLetters.length - 1; i >= 0; i--) {
      const letter = this.deadLetters[i];
      if (letter.topic !== topic) continue;
      this.deadLetters.splice(i, 1);
      if (!ids.has(letter.message.id)) messages.unshift(letter.message);
      ids.add(letter.message.id);
    }
    await this.publish(topic, messages);
    return messages.length;
  }

  /** Stops retry loops at once; their `publish` calls reject. */
  async close(): Promise<void> {
    this.closing.abort();
  }

  async ping(): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('transport is closed');
  }

  private readonly pumping = new Map<string, Promise<void>>();

  /** Delivers pending messages of a topic to each group in order, one pump per topic/group. */
  private async pump(topic: string): Promise<void> {
    const byGroup = this.groups.get(topic);
    if (!byGroup) return;
    await Promise.all([...byGroup.keys()].map((groupId) => this.pumpGroup(topic, groupId)));
  }

  private pumpGroup(topic: string, groupId: string): Promise<void> {
    const key = `${topic}\u0000${groupId}`;
    const previous = this.pumping.get(key) ?? Promise.resolve();
    // A previous drain that was aborted must not keep later publishes from trying.
    const next = previous.catch(() => undefined).then(() => this.drainGroup(topic, groupId, key));
    this.pumping.set(key, next);
    return next;
  }

  private async drainGroup(topic: string, groupId: string, key: string): Promise<void> {
    const topicLog = this.log.get(topic) ?? [];
    let position = this.cursor.get(key) ?? 0;
    let turn = 0;
    while (position < topicLog.length) {
      const members = this.groups.get(topic)?.get(groupId);
      if (!members?.length) return;
      const member = members[turn++ % members.length];
      const message = topicLog[position];
      let result;
      try {
        result = await handleInMessageTrace(message, topic, groupId, () =>
          deliverWithRetries(() => member.handle(message, topic), {
            policy: this.policy,
            signal: AbortSignal.any([this.closing.signal, member.leaving.signal]),
            onRetry: (retry) => {
              countDeliveryRetry(topic, groupId, retry.failure.reason);
              this.options.onRetry?.({ topic, groupId, message, ...retry });
            },
          }),
        );
      } catch (error) {
        // The member unsubscribed mid-retry (its service is stopping): like a Kafka partition
        // whose owner leaves, the message goes to another member, or waits for the group.
        if (error instanceof DeliveryAbortedError && !this.closing.signal.aborted) continue;
        throw error;
      }
      if (!result.delivered) {
        const letter: InProcessDeadLetter = { topic, groupId, message, error: result.error, failure: result.failure, attempts: result.attempts };
        this.deadLetters.push(letter);
        countDeadLetter(topic, groupId);
        this.options.onDeadLetter?.(letter);
      }
      position += 1;
      this.cursor.set(key, position);
    }
  }
}
