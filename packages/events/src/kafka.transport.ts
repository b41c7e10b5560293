import { Kafka, logLevel, type Admin, type Consumer, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import { DeliveryAbortedError, classifyDeliveryError, type DeliveryFailure } from './delivery-errors';
import { parseEnvelope, type EventEnvelope } from './envelope';
import { countDeadLetter, countDeliveryRetry } from './metrics';
import { handleInMessageTrace } from './tracing';
import {
  DEFAULT_RETRY_POLICY,
  deadLetterTopic,
  deliverWithRetries,
  sleep,
  type EventTransport,
  type RetryPolicy,
  type SubscribeOptions,
  type TopicMessages,
  type Unsubscribe,
} from './transport';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** Partitions for topics this transport creates; keys keep one concert's messages in order. */
  partitions?: number;
  log?: (message: string) => void;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. */
  retry?: Partial<RetryPolicy>;
  /**
   * Put before every topic name on the wire (`t1a2b.` + `catalog.event-published`), default
   * none. Several environments or test platforms sharing one cluster need it: consumer groups
   * alone do not isolate them, because the topics are shared and a new group reads a topic from
   * the beginning — every other environment's history, and its messages from then on. Services
   * keep using the logical names; handlers, metrics, traces and logs see those.
   */
  topicPrefix?: string;
}

/**
 * Headers of a message in `<topic>.dlq`, besides the original message's own headers (its
 * `message-id` and `type` included). `dlq:replay` reads `original-topic` to send it back; with
 * a topic prefix both the dead-letter topic and `original-topic` are the prefixed (wire) names.
 */
export const DeadLetterHeader = {
  messageId: 'message-id',
  originalTopic: 'original-topic',
  originalPartition: 'original-partition',
  originalOffset: 'original-offset',
  group: 'consumer-group',
  error: 'error',
  failure: 'failure',
  attempts: 'attempts',
  deadLetteredAt: 'dead-lettered-at',
} as const;

const GROUP_JOIN_TIMEOUT_MS = 30_000;
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
/** How often a retrying transient failure is logged again (the first one always is). */
const LOG_EVERY_N_RETRIES = 10;

interface Subscription {
  consumer: Consumer;
  /** Aborted on unsubscribe/close: a retry loop stops waiting and leaves its message uncommitted. */
  closing: AbortController;
}

/**
 * Kafka through kafkajs. The producer is idempotent with acks from all replicas; consumers commit
 * an offset only after their handler resolved (handlers record the message id in the same
 * transaction as their state change, so a redelivery is a no-op).
 *
 * A failing handler is retried inside `eachMessage`, heartbeating all along so the member keeps
 * its partitions: without limit while the failure is an outage (database or broker
 * unreachable), a few times for an unexplained error. Only a message that cannot succeed (bad
 * body, unknown version) or keeps failing for no infrastructure reason goes to `<topic>.dlq`
 * (`<prefix><topic>.dlq` under a topic prefix), where it is counted, logged with its id, and
 * kept for `npm run dlq:replay -- <topic>`.
 */
export class KafkaTransport implements EventTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer?: Promise<Producer>;
  private readonly subscriptions = new Set<Subscription>();
  private readonly knownTopics = new Set<string>();
  private readonly policy: RetryPolicy;
  private closing = false;

  constructor(private readonly options: KafkaTransportOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        // A retry loop cut short by close() throws out of eachMessage on purpose (so the offset
        // is not committed); kafkajs reports that as an error, which here it is not.
        if ((log as { error?: unknown }).error instanceof DeliveryAbortedError) return;
        if (level <= logLevel.WARN) options.log?.(`kafka: ${log.message}`);
      },
      retry: { retries: 8 },
    });
    this.admin = this.kafka.admin();
  }

  async publish(topic: string, messages: readonly EventEnvelope[]): Promise<void> {
    await this.publishBatch([{ topic, messages }]);
  }

  /**
   * One produce request for every topic of the batch (kafkajs groups it per broker), with the
   * same acks from all replicas as a single send: the relay's batch is durable when this
   * resolves, so it may mark the rows published. Order holds per partition, as it always did.
   */
  async publishBatch(batches: readonly TopicMessages[]): Promise<void> {
    const nonEmpty = batches.filter((b) => b.messages.length);
    if (!nonEmpty.length) return;
    const onWire = nonEmpty.map((b) => ({ topic: this.wire(b.topic), messages: b.messages }));
    await this.ensureTopics(onWire.map((b) => b.topic));
    const producer = await this.getProducer();
    // Successive requests in batch order (order per partition holds: each is acknowledged
    // before the next leaves), each small enough for the broker.
    for (const topicMessages of requestsUnder(MAX_REQUEST_BYTES, onWire)) await producer.sendBatch({ acks: -1, topicMessages });
  }

  async subscribe({ groupId, topics: logicalTopics, handle }: SubscribeOptions): Promise<Unsubscribe> {
    const topics = logicalTopics.map((t) => this.wire(t));
    await this.ensureTopics(topics);
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: HEARTBEAT_INTERVAL_MS });
    const subscription: Subscription = { consumer, closing: new AbortController() };
    this.subscriptions.add(subscription);
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
      eachMessage: async ({ topic: wireTopic, partition, message, heartbeat }) => {
        const topic = this.logical(wireTopic);
        const headerId = headerString(message.headers, 'message-id');
        let envelope: EventEnvelope;
        try {
          envelope = parseEnvelope(message.value?.toString('utf8') ?? '');
        } catch (error) {
          const messageId = headerId ?? `${topic}/${partition}@${message.offset}`;
          await this.deadLetter({ groupId, topic, partition, message, messageId, error: error as Error, attempts: 1, failure: classifyDeliveryError(error) });
          return;
        }
        const keepAlive = new KeepAlive(heartbeat, subscription.closing.signal);
        try {
          const result = await handleInMessageTrace(envelope, topic, groupId, () => deliverWithRetries(() => handle(envelope, topic), {
            policy: this.policy,
            signal: keepAlive.signal,
            onRetry: ({ error, failure, attempt, delayMs }) => {
              countDeliveryRetry(topic, groupId, failure.reason);
              if (attempt === 1 || attempt % LOG_EVERY_N_RETRIES === 0) {
                this.options.log?.(
                  `kafka: ${groupId} could not handle message ${envelope.id} of ${topic} (attempt ${attempt}, ${failure.kind} ${failure.reason}): ` +
                    `${error.message}; retrying in ${delayMs} ms`,
                );
              }
            },
          }));
          if (!result.delivered) {
            await this.deadLetter({ groupId, topic, partition, message, messageId: envelope.id, ...result });
          } else if (result.attempts > 1) {
            this.options.log?.(`kafka: ${groupId} handled message ${envelope.id} of ${topic} after ${result.attempts} attempts`);
          }
        } catch (error) {
          // A failed heartbeat means the group is rebalancing: throwing kafkajs's own error makes
          // it rejoin, and the uncommitted message is delivered again to whoever owns it next.
          throw keepAlive.failure ?? error;
        } finally {
          keepAlive.stop();
        }
      },
    });
    await joined;
    return async () => {
      this.subscriptions.delete(subscription);
      subscription.closing.abort();
      await consumer.disconnect();
    };
  }

  async ping(): Promise<void> {
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  /** Stops retry loops first: kafkajs's disconnect waits for the message being handled. */
  async close(): Promise<void> {
    this.closing = true;
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    subscriptions.forEach((s) => s.closing.abort());
    await Promise.all(subscriptions.map((s) => s.consumer.disconnect()));
    if (this.producer) await (await this.producer).disconnect();
    await this.admin.disconnect();
  }

  private async deadLetter(letter: {
    groupId: string;
    topic: string;
    partition: number;
    message: KafkaMessage;
    messageId: string;
    error: Error;
    attempts: number;
    failure: DeliveryFailure;
  }): Promise<void> {
    const { groupId, topic, partition, message, messageId, error, attempts, failure } = letter;
    // The wire names: replay sends the message back exactly where it came from.
    const originalTopic = this.wire(topic);
    const dlq = deadLetterTopic(originalTopic);
    await this.ensureTopics([dlq]);
    const producer = await this.getProducer();
    await producer.send({
      topic: dlq,
      acks: -1,
      messages: [
        {
          key: message.key,
          // The original bytes, untouched: replay sends exactly what the producer sent.
          value: message.value,
          headers: {
            ...message.headers,
            [DeadLetterHeader.messageId]: messageId,
            [DeadLetterHeader.originalTopic]: originalTopic,
            [DeadLetterHeader.originalPartition]: String(partition),
            [DeadLetterHeader.originalOffset]: message.offset,
            [DeadLetterHeader.group]: groupId,
            [DeadLetterHeader.error]: error.message.slice(0, 2_000),
            [DeadLetterHeader.failure]: `${failure.kind}:${failure.reason}`,
            [DeadLetterHeader.attempts]: String(attempts),
            [DeadLetterHeader.deadLetteredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    // Counted and logged once the dead letter is durable: a failed send is retried by kafkajs
    // (the offset stays uncommitted) and must not count twice.
    countDeadLetter(topic, groupId);
    this.options.log?.(
      `kafka: dead-lettered message ${messageId} of ${topic} (group ${groupId}, partition ${partition}, offset ${message.offset}) ` +
        `to ${dlq} after ${attempts} attempt(s), ${failure.kind} ${failure.reason}: ${error.message}`,
    );
  }

  /** The topic's name on the wire: the logical name behind this transport's prefix. */
  private wire(topic: string): string {
    return (this.options.topicPrefix ?? '') + topic;
  }

  /** The logical name of a topic this transport subscribed to (its wire name without the prefix). */
  private logical(wireTopic: string): string {
    const prefix = this.options.topicPrefix ?? '';
    return wireTopic.startsWith(prefix) ? wireTopic.slice(prefix.length) : wireTopic;
  }

  private getProducer(): Promise<Producer> {
    if (this.closing) return Promise.reject(new Error('kafka transport is closed'));
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
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 3 })),
        });
        break;
      } catch (error) {
        // A broker that has just started (or a concurrent creator of the same topic) can answer
        // the leader wait with UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this
        // topic-partition") while the topic is being created: wait and ask again rather than
        // failing a publish or a subscription.
        if (attempt >= TOPIC_CREATE_ATTEMPTS || classifyDeliveryError(error).kind !== 'transient') throw error;
        await sleep(200 * attempt);
      }
    }
    missing.forEach((t) => this.knownTopics.add(t));
  }
}

const TOPIC_CREATE_ATTEMPTS = 10;

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Heartbeats every second while a message is being handled or retried. kafkajs heartbeats only
 * between messages, so a consumer sitting out a ten-second outage inside `eachMessage` would
 * pass the 10 s session timeout, lose its partitions and see the message again elsewhere. A
 * failed heartbeat (the group is rebalancing) aborts `signal` so the retry loop gives way.
 */
class KeepAlive {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private pending = false;
  failure?: Error;

  constructor(heartbeat: () => Promise<void>, closing: AbortSignal) {
    this.timer = setInterval(() => {
      if (this.pending || this.failure) return;
      this.pending = true;
      heartbeat()
        .catch((error: Error) => {
          this.failure = error;
          this.controller.abort();
        })
        .finally(() => {
          this.pending = false;
        });
    }, HEARTBEAT_INTERVAL_MS);
    this.signal = AbortSignal.any([closing, this.controller.signal]);
  }

  readonly signal: AbortSignal;

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Bytes of message values one produce request carries at most. kafkajs writes a request's
 * messages for one partition as one record batch, and the broker refuses a record batch above
 * its message.max.bytes (1 MB by default) — a 20,000-seat event's announcement (ten parts of
 * ~340 KB, one key) in one request was refused forever and blocked the outbox behind it.
 */
const MAX_REQUEST_BYTES = 900_000;

type KafkaTopicMessages = { topic: string; messages: Array<{ key: string; value: string; headers: Record<string, string> }> };

/** The batch as produce requests of at most `maxBytes` of values each (a single larger message goes alone). */
function requestsUnder(maxBytes: number, batches: readonly TopicMessages[]): KafkaTopicMessages[][] {
  const requests: KafkaTopicMessages[][] = [];
  let current: KafkaTopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of batches) {
    for (const m of messages) {
      const value = JSON.stringify(m);
      const size = Buffer.byteLength(value);
      if (bytes + size > maxBytes && bytes > 0) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      let entry = current.at(-1);
      if (entry?.topic !== topic) {
        entry = { topic, messages: [] };
        current.push(entry);
      }
      entry.messages.push({ key: m.key, value, headers: { 'message-id': m.id, type: m.type } });
      bytes += size;
    }
  }
  if (current.length) requests.push(current);
  return requests;
}
