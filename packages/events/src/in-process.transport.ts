import type { EventEnvelope } from './envelope';
import { deliverWithRetries, type EventTransport, type MessageHandler, type SubscribeOptions, type Unsubscribe } from './transport';

interface Member {
  handle: MessageHandler;
}

/**
 * The embedded-mode transport: every service of the platform runs in one Node process and
 * shares one bus. It keeps Kafka's semantics that domain code relies on — each consumer group
 * gets every message once, members of a group split the work, a failing handler is retried and
 * then dead-lettered, and a group that subscribes late still reads the topic from the start.
 * `publish` resolves only when every subscribed group has handled the messages, so the relay
 * marks an outbox row published only after it was processed.
 */
export class InProcessTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  private readonly log = new Map<string, EventEnvelope[]>();
  private readonly groups = new Map<string, Map<string, Member[]>>();
  private readonly cursor = new Map<string, number>();
  readonly deadLetters: Array<{ topic: string; groupId: string; message: EventEnvelope; error: Error }> = [];
  private closed = false;

  constructor(private readonly onDeadLetter: (topic: string, error: Error) => void = () => undefined) {}

  async publish(topic: string, messages: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) throw new Error('transport is closed');
    const topicLog = this.log.get(topic) ?? [];
    this.log.set(topic, topicLog);
    topicLog.push(...messages);
    await this.pump(topic);
  }

  async subscribe({ groupId, topics, handle }: SubscribeOptions): Promise<Unsubscribe> {
    const member: Member = { handle };
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
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('transport is closed');
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
    const next = previous.then(() => this.drainGroup(topic, groupId, key));
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
      const error = await deliverWithRetries(() => member.handle(message, topic));
      if (error) {
        this.deadLetters.push({ topic, groupId, message, error });
        this.onDeadLetter(topic, error);
      }
      position += 1;
      this.cursor.set(key, position);
    }
  }
}
