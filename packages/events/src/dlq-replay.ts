import { Kafka, Partitioners, logLevel, type IHeaders } from 'kafkajs';
import { DeadLetterHeader, headerString } from './kafka.transport';
import { deadLetterTopic } from './transport';

export interface ReplayOptions {
  brokers: string[];
  /** The original topic (`booking.created`) or its dead-letter topic (`booking.created.dlq`). */
  topic: string;
  /** The services' KAFKA_TOPIC_PREFIX: `topic` is the logical name, read from `<topicPrefix><topic>.dlq`. */
  topicPrefix?: string;
  /**
   * The group whose committed offsets mark what was already replayed; default
   * `eventix.dlq-replay.<dead-letter topic>`, so a second run replays only newer dead letters.
   */
  groupId?: string;
  clientId?: string;
  /** Gives up when the dead letters present at the start were not all read by then. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface ReplayResult {
  deadLetterTopic: string;
  /** Dead letters read: those present when the replay started and not replayed before. */
  read: number;
  /** Messages sent back to their original topic. */
  republished: number;
  /** Dead letters of a message already republished in this run (several groups gave up on it). */
  duplicates: number;
}

/** Headers the dead-lettering added; the original message's own headers travel back unchanged. */
const dlqOnlyHeaders = new Set<string>(Object.values(DeadLetterHeader).filter((h) => h !== DeadLetterHeader.messageId));

/**
 * Sends the messages of `<topic>.dlq` back to the topic they came from, with their original key,
 * bytes and headers, then commits them in its own consumer group. Replaying is safe because
 * consumers de-duplicate on the message id (`processed_messages`): groups that had handled a
 * message skip it, the group that gave up tries again. It reads up to the end offsets seen at
 * the start, so a message that fails again and is dead-lettered anew waits for the next run.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const wireTopic = (options.topicPrefix ?? '') + options.topic;
  const dlq = wireTopic.endsWith('.dlq') ? wireTopic : deadLetterTopic(wireTopic);
  const fallbackTopic = dlq.slice(0, -'.dlq'.length);
  const groupId = options.groupId ?? `eventix.dlq-replay.${dlq}`;
  const log = options.log ?? (() => undefined);
  const kafka = new Kafka({
    clientId: options.clientId ?? 'eventix-dlq-replay',
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => ({ log: entry }) => log(`kafka: ${entry.message}`),
  });
  const result: ReplayResult = { deadLetterTopic: dlq, read: 0, republished: 0, duplicates: 0 };

  const admin = kafka.admin();
  await admin.connect();
  let pending: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(dlq)) {
      log(`${dlq} does not exist: nothing was dead-lettered from ${fallbackTopic}`);
      return result;
    }
    pending = await partitionsToReplay(admin, dlq, groupId);
  } finally {
    await admin.disconnect();
  }
  if (!pending.size) return result;

  // The partitioner KafkaTransport uses too (kafkajs's default), so a key lands where it did.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId });
  const seen = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [dlq], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`replay of ${dlq} timed out after ${options.timeoutMs ?? 60_000} ms (${result.read} read, ${[...pending.keys()].length} partitions unfinished)`)),
        options.timeoutMs ?? 60_000,
      );
      consumer
        .run({
          // Offsets are committed by hand, one message after its republish was acknowledged: a
          // crash in between republishes it once more, which consumers tolerate; the reverse
          // would lose it.
          autoCommit: false,
          eachMessage: async ({ partition, message, pause }) => {
            const end = pending.get(partition);
            const offset = BigInt(message.offset);
            // Dead-lettered after the replay started (perhaps by this replay): next run's work.
            if (end === undefined || offset >= end) {
              pause();
              return;
            }
            result.read += 1;
            const messageId = headerString(message.headers, DeadLetterHeader.messageId);
            if (messageId && seen.has(messageId)) {
              result.duplicates += 1;
            } else {
              if (messageId) seen.add(messageId);
              const target = headerString(message.headers, DeadLetterHeader.originalTopic) ?? fallbackTopic;
              await producer.send({ topic: target, acks: -1, messages: [{ key: message.key, value: message.value, headers: originalHeaders(message.headers) }] });
              result.republished += 1;
              log(`republished message ${messageId ?? `${dlq}/${partition}@${message.offset}`} to ${target}`);
            }
            await consumer.commitOffsets([{ topic: dlq, partition, offset: (offset + 1n).toString() }]);
            if (offset + 1n >= end) {
              pending.delete(partition);
              pause();
              if (!pending.size) resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await producer.disconnect();
  }
  return result;
}

/** For each partition with dead letters not yet replayed by `groupId`: its end offset now. */
async function partitionsToReplay(admin: ReturnType<Kafka['admin']>, dlq: string, groupId: string): Promise<Map<number, bigint>> {
  const ends = await admin.fetchTopicOffsets(dlq);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [dlq] });
  const committedBy = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
  const pending = new Map<number, bigint>();
  for (const { partition, high, low } of ends) {
    const from = committedBy.get(partition) ?? -1n;
    const start = from >= 0n ? from : BigInt(low);
    if (start < BigInt(high)) pending.set(partition, BigInt(high));
  }
  return pending;
}

function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !dlqOnlyHeaders.has(name)));
}
