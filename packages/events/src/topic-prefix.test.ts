import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { testKafkaBrokers, uniqueSuffix, waitFor } from '@eventix/testing';
import { replayDeadLetters } from './dlq-replay';
import { UnprocessableMessageError } from './delivery-errors';
import { createEnvelope, type EventEnvelope } from './envelope';
import { KafkaTransport } from './kafka.transport';
import { sleep } from './transport';

/**
 * KAFKA_TOPIC_PREFIX: two environments on one broker (two test platforms, staging next to a
 * load test) use the same logical topics. Their consumers must not read each other's messages —
 * neither the history a new group reads from the beginning nor what arrives later.
 */
describe('Kafka topic prefix: environments sharing a broker', () => {
  const topic = `test.prefix.${uniqueSuffix()}`;
  const transports: KafkaTransport[] = [];
  const transport = (topicPrefix: string) => {
    const t = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `prefix-test-${uniqueSuffix()}`, topicPrefix });
    transports.push(t);
    return t;
  };
  const message = (payload: unknown) => createEnvelope({ type: topic, key: 'concert-1', payload });
  /** This test's own client: it sees the wire names. */
  const kafka = new Kafka({ clientId: `prefix-test-${uniqueSuffix()}`, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
  const readOne = async (wireTopic: string) => {
    const reader = kafka.consumer({ groupId: `prefix-reader-${uniqueSuffix()}` });
    const got: KafkaMessage[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topics: [wireTopic], fromBeginning: true });
      await reader.run({ eachMessage: async ({ message: m }) => void got.push(m) });
      return await waitFor(() => got[0], 30_000, `a message of ${wireTopic}`);
    } finally {
      await reader.disconnect();
    }
  };

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
  });

  it('each subscriber reads only its own environment’s messages, under the logical topic name', async () => {
    const a = transport(`a${uniqueSuffix()}.`);
    const b = transport(`b${uniqueSuffix()}.`);
    // History first: A's message is on the broker before B's group exists and reads from the beginning.
    const earlier = message({ from: 'a', earlier: true });
    await a.publish(topic, [earlier]);

    const got = { a: [] as Array<[string, EventEnvelope]>, b: [] as Array<[string, EventEnvelope]> };
    // Each environment has its consumer groups too (CONSUMER_GROUP_PREFIX): with one group name
    // for both, kafkajs's group leader hands out only the topics it subscribed to itself, over
    // all members, and the other member drops what it was given — each starves half the other.
    const groups = `prefix-test-${uniqueSuffix()}`;
    await a.subscribe({ groupId: `a.${groups}`, topics: [topic], handle: async (m, t) => void got.a.push([t, m]) });
    await b.subscribe({ groupId: `b.${groups}`, topics: [topic], handle: async (m, t) => void got.b.push([t, m]) });
    const fromA = message({ from: 'a' });
    const fromB = message({ from: 'b' });
    await Promise.all([a.publish(topic, [fromA]), b.publish(topic, [fromB])]);

    await waitFor(() => (got.a.length >= 2 && got.b.length >= 1 ? true : undefined), 30_000, 'each environment’s messages');
    await sleep(1_000); // anything that leaked across would have arrived by now
    expect(got.a.map(([t, m]) => [t, m.id])).toEqual([
      [topic, earlier.id],
      [topic, fromA.id],
    ]);
    expect(got.b.map(([t, m]) => [t, m.id])).toEqual([[topic, fromB.id]]);
  });

  it('dead-letters to the prefixed dead-letter topic, and dlq:replay with the prefix sends it back', async () => {
    const topicPrefix = `c${uniqueSuffix()}.`;
    const wireTopic = topicPrefix + topic;
    const c = transport(topicPrefix);
    const seen: Array<[string, string]> = [];
    let accept = false;
    await c.subscribe({
      groupId: `c.prefix-test-${uniqueSuffix()}`,
      topics: [topic],
      handle: async (m, t) => {
        seen.push([t, m.id]);
        if (!accept) throw new UnprocessableMessageError('not yet understood');
      },
    });
    const hopeless = message({ hopeless: true });
    await c.publish(topic, [hopeless]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      // 0 until the transport has created the topic and its leaders answer.
      const deadLetters = async () => {
        if (!(await admin.listTopics()).includes(`${wireTopic}.dlq`)) return 0;
        const offsets = await admin.fetchTopicOffsets(`${wireTopic}.dlq`).catch(() => []);
        return offsets.reduce((n, p) => n + Number(p.high), 0);
      };
      await waitFor(async () => ((await deadLetters()) === 1 ? true : undefined), 30_000, 'the dead letter in the prefixed topic');
      expect(await admin.listTopics()).not.toContain(`${topic}.dlq`);
    } finally {
      await admin.disconnect();
    }
    const letter = await readOne(`${wireTopic}.dlq`);
    expect(letter.headers?.['original-topic']?.toString()).toBe(wireTopic);
    expect(letter.headers?.['message-id']?.toString()).toBe(hopeless.id);

    accept = true;
    // The operator names the logical topic, as the services do, with their prefix.
    await expect(replayDeadLetters({ brokers: testKafkaBrokers(), topic, topicPrefix })).resolves.toEqual({
      deadLetterTopic: `${wireTopic}.dlq`,
      read: 1,
      republished: 1,
      duplicates: 0,
    });
    await waitFor(() => (seen.length >= 2 ? true : undefined), 30_000, 'the replayed message');
    expect(seen).toEqual([
      [topic, hopeless.id],
      [topic, hopeless.id],
    ]);
  });
});
