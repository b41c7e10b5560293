import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { register } from 'prom-client';
import { createTestDatabase, testKafkaBrokers, testPostgresServerUrl, uniqueSuffix, waitFor, type TestDatabase } from '@eventix/testing';
import { replayDeadLetters } from './dlq-replay';
import { createEnvelope, requireVersion, type EventEnvelope } from './envelope';
import { KafkaTransport } from './kafka.transport';
import { DEAD_LETTERS_METRIC, DELIVERY_RETRIES_METRIC } from './metrics';
import { OutboxMessage } from './outbox.entity';
import { claimMessage } from './processed';
import { outboxTablesSql, outboxTraceparentSql, outboxWakeTriggerSql } from './schema.sql';
import { deadLetterTopic, sleep } from './transport';

/** Longer than the consumer's 10 s session timeout: the member must heartbeat while it waits. */
const OUTAGE_MS = 12_000;

/**
 * The consumer of issue #10: its handler commits to a real PostgreSQL database that goes away
 * for longer than the old retry budget (about a second), on a real Kafka broker.
 */
describe('Kafka consumer: outages are waited out, hopeless messages dead-lettered and replayable', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let pgAdmin: Client;
  let transport: KafkaTransport;
  let kafka: Kafka;
  const topic = `test.dlq.${uniqueSuffix()}`;
  const groupId = `dlq-test-${uniqueSuffix()}`;
  // Topics of this suite alone, as every test transport has. Handlers, metrics and logs see
  // `topic`; this test's own kafkajs client reads and writes the wire names.
  const topicPrefix = `t${uniqueSuffix()}.`;
  const wireTopic = topicPrefix + topic;
  const wireDeadLetters = deadLetterTopic(wireTopic);
  const logs: string[] = [];
  const attempts = new Map<string, number>();
  /** Versions the handler understands; the second test "deploys" support for version 2. */
  const supportedVersions = [1];

  const handle = async (m: EventEnvelope) => {
    attempts.set(m.id, (attempts.get(m.id) ?? 0) + 1);
    requireVersion(m, ...supportedVersions);
    await orm.em.fork().transactional(async (em) => {
      if (!(await claimMessage(em, 'dlq-test', m.id))) return;
      await em.execute('insert into applied (message_id) values (?)', [m.id]);
    });
  };
  const applied = async (id: string) =>
    (await orm.em.fork().execute<Array<{ message_id: string }>>('select message_id from applied where message_id = ?', [id])).length === 1;
  const message = (payload: unknown, version = 1) => createEnvelope({ type: topic, key: 'concert-1', payload, version });

  const metricValues = async (name: string) =>
    ((await register.getSingleMetric(name)?.get())?.values ?? []).filter((v) => v.labels.topic === topic && v.labels.group === groupId);
  const deadLettered = async () => (await metricValues(DEAD_LETTERS_METRIC)).reduce((n, v) => n + v.value, 0);
  const retries = async () => (await metricValues(DELIVERY_RETRIES_METRIC)).reduce((n, v) => n + v.value, 0);

  /** Every message of `<prefix><topic>.dlq`, read by a throwaway group once the end offsets are reached. */
  const readDeadLetters = async (): Promise<KafkaMessage[]> => {
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    const ends = topics.includes(wireDeadLetters) ? await admin.fetchTopicOffsets(wireDeadLetters) : [];
    await admin.disconnect();
    const expected = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    if (!expected) return [];
    const got: KafkaMessage[] = [];
    const reader = kafka.consumer({ groupId: `dlq-reader-${uniqueSuffix()}` });
    await reader.connect();
    await reader.subscribe({ topics: [wireDeadLetters], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message: m }) => void got.push(m) });
    await waitFor(() => (got.length >= expected ? true : undefined), 30_000, `${expected} dead letters`);
    await reader.disconnect();
    return got;
  };

  beforeAll(async () => {
    db = await createTestDatabase('dlq');
    orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: db.url, entities: [OutboxMessage], contextName: 'dlq-test', allowGlobalContext: false });
    for (const sql of [...outboxTablesSql, outboxTraceparentSql, ...outboxWakeTriggerSql]) await orm.em.fork().execute(sql);
    await orm.em.fork().execute('create table applied (message_id uuid primary key)');
    pgAdmin = new Client({ connectionString: `${testPostgresServerUrl()}/postgres` });
    await pgAdmin.connect();
    kafka = new Kafka({ clientId: `dlq-test-${uniqueSuffix()}`, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
    transport = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `dlq-test-${uniqueSuffix()}`, topicPrefix, log: (m) => logs.push(m) });
    await transport.subscribe({ groupId, topics: [topic], handle });
    // Warm up: the group owns its partitions and the pool holds live connections to kill.
    const first = message({ warmUp: true });
    await transport.publish(topic, [first]);
    await waitFor(async () => ((await applied(first.id)) ? true : undefined), 20_000, 'the warm-up message');
  });

  afterAll(async () => {
    await pgAdmin?.query(`alter database ${db.name} with allow_connections true`).catch(() => undefined);
    await transport?.close();
    await pgAdmin?.end();
    await orm?.close();
    await db?.drop();
  });

  it('handles a message once the database is back from a 12 s outage, and dead-letters nothing', async () => {
    const retriesBefore = await retries();
    await pgAdmin.query(`alter database ${db.name} with allow_connections false`);
    const outageStart = Date.now();
    // Kill the pooled connections too, as a restart of the server would.
    await pgAdmin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [db.name]);
    const paymentResult = message({ bookingId: 'b-1', status: 'PAID' });
    await transport.publish(topic, [paymentResult]);

    // The handler keeps failing against the refusing database, well past the old retry budget.
    await waitFor(async () => ((attempts.get(paymentResult.id) ?? 0) >= 6 ? true : undefined), OUTAGE_MS, 'six failed attempts');
    await sleep(outageStart + OUTAGE_MS - Date.now());
    const attemptsDuringOutage = attempts.get(paymentResult.id) ?? 0;
    await pgAdmin.query(`alter database ${db.name} with allow_connections true`);
    const outageEnd = Date.now();

    await waitFor(async () => ((await applied(paymentResult.id).catch(() => false)) ? true : undefined), 20_000, 'the message after the outage');
    const recoveredAfterMs = Date.now() - outageEnd;

    // Every retry was recognised as an outage (never "handler-error", which has a budget).
    const reasons = (await metricValues(DELIVERY_RETRIES_METRIC)).filter((v) => v.value > 0).map((v) => v.labels.reason);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons).not.toContain('handler-error');
    expect((await retries()) - retriesBefore).toBeGreaterThanOrEqual(attemptsDuringOutage - 1);
    expect(await deadLettered()).toBe(0);
    expect(await readDeadLetters()).toEqual([]);
    // The member heartbeated through the outage: no session expiry, no rejoin.
    expect(logs.filter((l) => /rebalanc|re-join|not aware of this member/i.test(l))).toEqual([]);
    expect(logs.some((l) => l.includes(paymentResult.id) && /retrying in/.test(l))).toBe(true);
    process.stderr.write(
      `[dlq-test] outage ${OUTAGE_MS} ms: ${attemptsDuringOutage} attempts, retry reasons ${[...new Set(reasons)].join(', ')}; ` +
        `handled ${recoveredAfterMs} ms after connections were allowed again\n`,
    );
  });

  it('stops a retry loop promptly on close() and leaves the message to the next consumer', async () => {
    // Its own topic and group, so the messages of the other tests stay out of the way.
    const closeTopic = `${topic}.close`;
    const closeGroup = `${groupId}-close`;
    const first = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `dlq-test-${uniqueSuffix()}`, topicPrefix, log: (m) => logs.push(m) });
    await first.subscribe({ groupId: closeGroup, topics: [closeTopic], handle });
    await pgAdmin.query(`alter database ${db.name} with allow_connections false`);
    await pgAdmin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [db.name]);
    const pending = message({ bookingId: 'b-3', status: 'PAID' });
    await first.publish(closeTopic, [pending]);
    await waitFor(() => ((attempts.get(pending.id) ?? 0) >= 3 ? true : undefined), 10_000, 'three failed attempts');

    const closing = Date.now();
    await first.close();
    const closeMs = Date.now() - closing;
    const attemptsAtClose = attempts.get(pending.id);
    await sleep(1_000);
    expect(attempts.get(pending.id)).toBe(attemptsAtClose);
    expect(closeMs).toBeLessThan(5_000);

    // Nothing was committed or dead-lettered: the next member of the group handles it.
    await pgAdmin.query(`alter database ${db.name} with allow_connections true`);
    const second = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `dlq-test-${uniqueSuffix()}`, topicPrefix, log: (m) => logs.push(m) });
    try {
      await second.subscribe({ groupId: closeGroup, topics: [closeTopic], handle });
      await waitFor(async () => ((await applied(pending.id)) ? true : undefined), 20_000, 'the message in the next consumer');
    } finally {
      await second.close();
    }
    const counted = ((await register.getSingleMetric(DEAD_LETTERS_METRIC)?.get())?.values ?? []).filter((v) => v.labels.group === closeGroup);
    expect(counted).toEqual([]);
    process.stderr.write(`[dlq-test] close() during a retry loop took ${closeMs} ms\n`);
  });

  it('dead-letters a bad body and an unknown version at once, counts and logs them, and dlq:replay sends them back', async () => {
    const badId = `bad-${uniqueSuffix()}`;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: wireTopic, messages: [{ key: 'concert-1', value: 'this is not an envelope', headers: { 'message-id': badId } }] });
    await producer.disconnect();
    const v2 = message({ bookingId: 'b-2', status: 'PAID' }, 2);
    await transport.publish(topic, [v2]);

    await waitFor(async () => ((await deadLettered()) === 2 ? true : undefined), 20_000, 'two dead letters counted');
    expect(attempts.get(v2.id)).toBe(1);
    expect(logs.find((l) => l.includes(`dead-lettered message ${badId}`))).toBeDefined();
    expect(logs.find((l) => l.includes(`dead-lettered message ${v2.id}`))).toBeDefined();
    const letters = await readDeadLetters();
    const headers = (m: KafkaMessage) => Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(letters.map((m) => headers(m)['message-id']).sort()).toEqual([badId, v2.id].sort());
    const bad = letters.find((m) => headers(m)['message-id'] === badId)!;
    expect(bad.value?.toString()).toBe('this is not an envelope');
    expect(headers(bad)).toMatchObject({ 'original-topic': wireTopic, 'consumer-group': groupId, attempts: '1', failure: 'permanent:unprocessable' });

    // The consumer learns version 2; replay sends both back. The bad body fails again and is
    // dead-lettered anew; the version-2 message is now handled.
    supportedVersions.push(2);
    const started = Date.now();
    await expect(replayDeadLetters({ brokers: testKafkaBrokers(), topic, topicPrefix })).resolves.toEqual({
      deadLetterTopic: wireDeadLetters,
      read: 2,
      republished: 2,
      duplicates: 0,
    });
    process.stderr.write(`[dlq-test] replay of 2 dead letters took ${Date.now() - started} ms\n`);
    await waitFor(async () => ((await applied(v2.id)) ? true : undefined), 20_000, 'the replayed version-2 message');
    await waitFor(async () => ((await deadLettered()) === 3 ? true : undefined), 20_000, 'the bad body dead-lettered again');

    // A second run starts from the replay group's committed offset: only the new dead letter.
    await expect(replayDeadLetters({ brokers: testKafkaBrokers(), topic, topicPrefix })).resolves.toMatchObject({ read: 1, republished: 1 });
    await waitFor(async () => ((await deadLettered()) === 4 ? true : undefined), 20_000, 'the bad body dead-lettered a third time');
  });
});
