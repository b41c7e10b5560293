import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { parseEnvelope, type EventEnvelope } from './envelope';
import { deadLetterTopic, deliverWithRetries, type EventTransport, type SubscribeOptions, type Unsubscribe } from './transport';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** Partitions for topics this transport creates; keys keep one concert's messages in order. */
  partitions?: number;
  log?: (message: string) => void;
}

const GROUP_JOIN_TIMEOUT_MS = 30_000;

/**
 * Kafka through kafkajs. The producer is idempotent with acks from all replicas; consumers commit
 * an offset only after their handler resolved (handlers record the message id in the same
 * transaction as their state change, so a redelivery is a no-op); a message that keeps failing
 * goes to `<topic>.dlq` instead of stalling its partition.
 */
export class KafkaTransport implements EventTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer?: Promise<Producer>;
  private readonly consumers = new Set<Consumer>();
  private readonly knownTopics = new Set<string>();

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        if (level <= logLevel.WARN) options.log?.(`kafka: ${log.message}`);
      },
      retry: { retries: 8 },
    });
    this.admin = this.kafka.admin();
  }

  async publish(topic: string, messages: readonly EventEnvelope[]): Promise<void> {
    if (!messages.length) return;
    await this.ensureTopics([topic]);
    const producer = await this.getProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: JSON.stringify(m),
        headers: { 'message-id': m.id, type: m.type },
      })),
    });
  }

  async subscribe({ groupId, topics, handle }: SubscribeOptions): Promise<Unsubscribe> {
    await this.ensureTopics(topics);
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer group ${groupId} did not join within ${GROUP_JOIN_TIMEOUT_MS} ms`)), GROUP_JOIN_TIMEOUT_MS);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const raw = message.value?.toString('utf8') ?? '';
        let envelope: EventEnvelope;
        try {
          envelope = parseEnvelope(raw);
        } catch (error) {
          await this.deadLetter(topic, raw, message.key, error as Error);
          return;
        }
        const error = await deliverWithRetries(() => handle(envelope, topic));
        if (error) await this.deadLetter(topic, raw, message.key, error);
      },
    });
    await joined;
    return async () => {
      this.consumers.delete(consumer);
      await consumer.disconnect();
    };
  }

  async ping(): Promise<void> {
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producer) await (await this.producer).disconnect();
    await this.admin.disconnect();
  }

  private async deadLetter(topic: string, raw: string, key: Buffer | null, error: Error): Promise<void> {
    this.options.log?.(`kafka: ${topic} message dead-lettered: ${error.message}`);
    const dlq = deadLetterTopic(topic);
    await this.ensureTopics([dlq]);
    const producer = await this.getProducer();
    await producer.send({ topic: dlq, acks: -1, messages: [{ key, value: raw, headers: { error: error.message } }] });
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }

  /** Creates missing topics up front: relying on broker auto-creation races with consumers. */
  private async ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (!missing.length) return;
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 3 })),
    });
    missing.forEach((t) => this.knownTopics.add(t));
  }
}
