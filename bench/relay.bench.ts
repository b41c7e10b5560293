import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createEnvelope, KafkaTransport, OutboxMessage, OutboxRelay, outboxTablesSql, outboxTraceparentSql, outboxWakeTriggerSql, recordEvent, type EventEnvelope } from '@eventix/events';
import { benchRuns, envNumber, median, percentile, report, runs } from './harness';
import { startBenchInfra } from './harness/infra';

/*
 * Issue #16, target 7 — the event pipeline. Throughput: N outbox rows committed, then the
 * relay started and timed until every row is published to Kafka (acks from all replicas, as in
 * production), against a bare kafkajs producer sending the same messages in batches of the same
 * size, one batch after another, with the same acks and idempotence. Latency: one row committed
 * at a time with the relay running (woken by the commit), timed from the commit's return to a
 * plain kafkajs consumer's receipt, against the same message produced with kafkajs and consumed
 * by the same kind of consumer.
 *
 * BENCH_RELAY_ROWS (10,000), BENCH_RELAY_BATCH (the relay's default, 200), BENCH_RELAY_LATENCY_MESSAGES (100), BENCH_RUNS (3).
 */

const ROWS = envNumber('BENCH_RELAY_ROWS', 10_000);
const BATCH = envNumber('BENCH_RELAY_BATCH', 200);
const LATENCY_MESSAGES = envNumber('BENCH_RELAY_LATENCY_MESSAGES', 100);
const log = (message: string) => process.stderr.write(`[relay] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A booking.created-sized payload (an event, a booking, two seats, an amount, a version). */
const payloadOf = (n: number) => ({
  bookingId: crypto.randomUUID(),
  eventId: crypto.randomUUID(),
  userId: `user-${n % 500}`,
  seatIds: [crypto.randomUUID(), crypto.randomUUID()],
  totalAmount: '60.00',
  currency: 'EUR',
  expiresAt: new Date().toISOString(),
  seatMapVersion: n,
});

interface Pipeline {
  orm: MikroORM;
  kafka: Kafka;
  brokers: string[];
}

const pendingCount = async (orm: MikroORM) => Number((await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from outbox where published_at is null'))[0].n);

/** Commits `rows` outbox rows (100 per transaction, as many writers would) with the relay stopped. */
async function commitRows(orm: MikroORM, topic: string, rows: number): Promise<void> {
  for (let done = 0; done < rows; done += 100) {
    await orm.em.fork().transactional(async (em) => {
      for (let i = done; i < Math.min(rows, done + 100); i++) recordEvent(em, { type: topic, key: `event-${i % 64}`, payload: payloadOf(i) });
    });
  }
}

/** Rows per second from the relay's start until the outbox is empty. */
async function relayThroughput({ orm, brokers }: Pipeline, run: number): Promise<number> {
  const topic = `bench.relay.${run}.${crypto.randomBytes(3).toString('hex')}`;
  const transport = new KafkaTransport({ brokers, clientId: `bench-relay-${run}` });
  // Topic creation and the producer's connection are not what is measured.
  await transport.publish(topic, [createEnvelope({ type: topic, key: 'warm-up', payload: {} })]);
  await commitRows(orm, topic, ROWS);
  // No commit wake-ups: the rows are all there; what is measured is batches back to back.
  const relay = new OutboxRelay({ orm, transport, batchSize: BATCH, wakeOnCommit: false });
  const t0 = performance.now();
  relay.start();
  while ((await pendingCount(orm)) > 0) await sleep(10);
  const seconds = (performance.now() - t0) / 1000;
  await relay.stop();
  await transport.close();
  return ROWS / seconds;
}

/** Messages per second of a bare kafkajs producer sending the same envelopes in batches of BATCH, one batch after another. */
async function bareThroughput({ kafka }: Pipeline, run: number): Promise<number> {
  const topic = `bench.bare.${run}.${crypto.randomBytes(3).toString('hex')}`;
  const producer = await connectedProducer(kafka);
  await producer.send({ topic, acks: -1, messages: [{ key: 'warm-up', value: '{}' }] });
  const envelopes: EventEnvelope[] = Array.from({ length: ROWS }, (_, i) => createEnvelope({ type: topic, key: `event-${i % 64}`, payload: payloadOf(i) }));
  const t0 = performance.now();
  for (let start = 0; start < ROWS; start += BATCH) {
    const messages = envelopes.slice(start, start + BATCH).map((m) => ({ key: m.key, value: JSON.stringify(m), headers: { 'message-id': m.id, type: m.type } }));
    await producer.send({ topic, acks: -1, messages });
  }
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return ROWS / seconds;
}

/** The producer settings the Kafka transport uses (idempotent, one request in flight). */
async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  await producer.connect();
  return producer;
}

/** A plain consumer of `topic` from its start; calls `onMessage` with each value. */
async function consumerOf(kafka: Kafka, topic: string, onMessage: (value: string) => void): Promise<Consumer> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({ eachMessage: async ({ message }) => onMessage(message.value?.toString() ?? '') });
  await joined;
  return consumer;
}

/** Sends one message at a time and waits for its receipt: latencies (ms) from the `t0` that `send` reports to the consumer. */
async function oneByOne(kafka: Kafka, topic: string, send: () => Promise<{ id: string; t0: number }>): Promise<number[]> {
  const arrived = new Map<string, number>();
  const consumer = await consumerOf(kafka, topic, (value) => {
    const at = performance.now();
    const id = /"id":"([^"]+)"/.exec(value)?.[1];
    if (id) arrived.set(id, at);
  });
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_MESSAGES + 5; i++) {
    const { id, t0 } = await send();
    const deadline = Date.now() + 10_000;
    while (!arrived.has(id) && Date.now() < deadline) await sleep(1);
    if (!arrived.has(id)) throw new Error(`message ${i} did not arrive within 10 s`);
    // The first few warm the connections up.
    if (i >= 5) latencies.push(arrived.get(id)! - t0);
  }
  await consumer.disconnect();
  return latencies.sort((a, b) => a - b);
}

/** Commit → consumer, with the relay running and woken by each commit. */
async function relayLatency({ orm, kafka, brokers }: Pipeline): Promise<number[]> {
  const topic = `bench.relay-latency.${crypto.randomBytes(3).toString('hex')}`;
  const transport = new KafkaTransport({ brokers, clientId: 'bench-relay-latency' });
  const relay = new OutboxRelay({ orm, transport, batchSize: BATCH });
  relay.start();
  await relay.listening();
  try {
    return await oneByOne(kafka, topic, async () => {
      const { id } = await orm.em.fork().transactional(async (em) => recordEvent(em, { type: topic, key: 'event-1', payload: payloadOf(0) }));
      return { id, t0: performance.now() };
    });
  } finally {
    await relay.stop();
    await transport.close();
  }
}

/** Produce → consume with bare kafkajs, the same message and acks. */
async function bareLatency({ kafka }: Pipeline): Promise<number[]> {
  const topic = `bench.bare-latency.${crypto.randomBytes(3).toString('hex')}`;
  const producer = await connectedProducer(kafka);
  try {
    return await oneByOne(kafka, topic, async () => {
      const t0 = performance.now();
      const envelope = createEnvelope({ type: topic, key: 'event-1', payload: payloadOf(0) });
      await producer.send({ topic, acks: -1, messages: [{ key: envelope.key, value: JSON.stringify(envelope), headers: { 'message-id': envelope.id, type: topic } }] });
      return { id: envelope.id, t0 };
    });
  } finally {
    await producer.disconnect();
  }
}

async function main(): Promise<void> {
  const infra = await startBenchInfra(`relay_${Date.now().toString(36)}`, true, log);
  const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: infra.databaseUrls.booking, entities: [OutboxMessage], contextName: 'relay-bench', allowGlobalContext: false });
  const kafka = new Kafka({ clientId: 'bench-relay', brokers: infra.kafkaBrokers, logLevel: logLevel.WARN });
  const pipeline: Pipeline = { orm, kafka, brokers: infra.kafkaBrokers };
  try {
    for (const sql of [...outboxTablesSql, outboxTraceparentSql, ...outboxWakeTriggerSql]) await orm.em.fork().execute(sql);
    const n = benchRuns();
    const ours = await runs(n, (run) => relayThroughput(pipeline, run));
    const bare = await runs(n, (run) => bareThroughput(pipeline, run));
    log(`throughput: relay ${ours.map(Math.round).join(', ')} rows/s; bare ${bare.map(Math.round).join(', ')} msg/s`);
    const relayLatencies = await relayLatency(pipeline);
    const bareLatencies = await bareLatency(pipeline);
    const [oursRate, bareRate] = [median(ours), median(bare)];
    const quantile = (xs: number[], q: number) => percentile(xs, q);
    report('relay', [
      { target: '7 pipeline', metric: `outbox relay throughput to Kafka, ${ROWS} rows, batch ${BATCH} (median of ${n})`, ours: oursRate, baseline: bareRate, unit: 'msg/s', goal: 'ratio ≥ 0.5', met: oursRate / bareRate >= 0.5 },
      { target: '7 pipeline', metric: `commit → consumer p50 (${LATENCY_MESSAGES} messages, one at a time); baseline produce → consume`, ours: quantile(relayLatencies, 0.5), baseline: quantile(bareLatencies, 0.5), unit: 'ms', goal: 'shown next to bare' },
      { target: '7 pipeline', metric: `commit → consumer p99 (${LATENCY_MESSAGES} messages, one at a time); baseline produce → consume`, ours: quantile(relayLatencies, 0.99), baseline: quantile(bareLatencies, 0.99), unit: 'ms', goal: 'shown next to bare' },
    ]);
  } finally {
    await orm.close();
    await infra.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
