import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createTestDatabase, testKafkaBrokers, uniqueSuffix, waitFor, type TestDatabase } from '@eventix/testing';
import type { EventEnvelope } from './envelope';
import { InProcessTransport } from './in-process.transport';
import { KafkaTransport } from './kafka.transport';
import { recordEvent } from './outbox';
import { OutboxMessage } from './outbox.entity';
import { OutboxRelay } from './relay';
import { outboxTablesSql, outboxTraceparentSql, outboxWakeTriggerSql } from './schema.sql';
import type { EventTransport } from './transport';

const transports: Array<[string, () => EventTransport]> = [
  ['in-process', () => new InProcessTransport()],
  // Topics of this suite alone (its new groups would otherwise read every other suite's history).
  ['kafka', () => new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `outbox-test-${uniqueSuffix()}`, topicPrefix: `t${uniqueSuffix()}.` })],
];

describe.each(transports)('outbox → relay → %s transport', (_kind, makeTransport) => {
  let db: TestDatabase;
  let orm: MikroORM;
  let transport: EventTransport;
  let topic: string;
  const received: EventEnvelope[] = [];
  const relays: OutboxRelay[] = [];

  const newRelay = (t: EventTransport = transport, idleMs = 20) => {
    const relay = new OutboxRelay({ orm, transport: t, idleMs });
    relays.push(relay);
    return relay;
  };
  const commit = (payload: unknown) =>
    orm.em.fork().transactional(async (em) => recordEvent(em, { type: topic, key: 'concert-1', payload }));
  const pendingCount = async () =>
    Number((await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from outbox where published_at is null'))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('events');
    orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: db.url, entities: [OutboxMessage], contextName: 'events-test', allowGlobalContext: false });
    for (const sql of [...outboxTablesSql, outboxTraceparentSql, ...outboxWakeTriggerSql]) await orm.em.fork().execute(sql);
    transport = makeTransport();
    topic = `test.outbox.${uniqueSuffix()}`;
    await transport.subscribe({ groupId: `outbox-test-${uniqueSuffix()}`, topics: [topic], handle: async (m) => void received.push(m) });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await transport.close();
    await orm.close();
    await db.drop();
  });

  it('delivers a message written in a committed transaction, in its envelope', async () => {
    const sent = await commit({ seat: 'A1' });
    newRelay().start();
    const got = await waitFor(() => received.find((m) => m.id === sent.id), 20_000, 'the committed message');
    expect(got).toEqual({ id: sent.id, type: topic, version: 1, occurredAt: sent.occurredAt, key: 'concert-1', payload: { seat: 'A1' } });
    await waitFor(async () => ((await pendingCount()) === 0 ? true : undefined), 5_000, 'the row to be marked published');
  });

  it('publishes a committed row at once, long before the poll would find it', async () => {
    // A poll interval no test waits out: only the commit notification can wake the relay in time.
    const relay = newRelay(transport, 60_000);
    relay.start();
    await relay.listening();
    await waitFor(async () => ((await pendingCount()) === 0 ? true : undefined), 5_000, 'the outbox to be drained at start');
    const started = Date.now();
    const sent = await commit({ woken: true });
    await waitFor(async () => ((await pendingCount()) === 0 ? true : undefined), 5_000, 'the row to be published');
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor(() => received.find((m) => m.id === sent.id), 20_000, 'the woken message');
  });

  it('publishes every row of a batch spanning several topics, each topic in commit order', async () => {
    const other = `${topic}.other`;
    const otherReceived: EventEnvelope[] = [];
    await transport.subscribe({ groupId: `outbox-test-${uniqueSuffix()}`, topics: [other], handle: async (m) => void otherReceived.push(m) });
    const sent = await orm.em.fork().transactional(async (em) =>
      [0, 1, 2, 3].map((n) => recordEvent(em, { type: n % 2 ? other : topic, key: 'concert-2', payload: { n } })),
    );
    await expect(newRelay().publishBatch()).resolves.toBe(4);
    await waitFor(() => (otherReceived.length >= 2 ? true : undefined), 20_000, 'the other topic');
    await waitFor(() => (sent.filter((m) => m.type === topic).every((m) => received.some((r) => r.id === m.id)) ? true : undefined), 20_000, 'the first topic');
    expect(otherReceived.map((m) => (m.payload as { n: number }).n)).toEqual([1, 3]);
    const firstTopic = received.filter((m) => sent.some((s) => s.id === m.id)).map((m) => (m.payload as { n: number }).n);
    expect(firstTopic).toEqual([0, 2]);
  });

  it('drains a backlog of several batches, every row once and in commit order', async () => {
    const sent = await orm.em.fork().transactional(async (em) => Array.from({ length: 230 }, (_, n) => recordEvent(em, { type: topic, key: 'concert-3', payload: { n } })));
    const relay = new OutboxRelay({ orm, transport, batchSize: 50, wakeOnCommit: false });
    const counts: number[] = [];
    for (let published = await relay.publishBatch(); published > 0; published = await relay.publishBatch()) counts.push(published);
    expect(counts).toEqual([50, 50, 50, 50, 30]);
    expect(await pendingCount()).toBe(0);
    const ids = new Set(sent.map((m) => m.id));
    await waitFor(() => (received.filter((m) => ids.has(m.id)).length >= sent.length ? true : undefined), 20_000, 'the whole backlog');
    const got = received.filter((m) => ids.has(m.id)).map((m) => (m.payload as { n: number }).n);
    expect(got).toEqual(sent.map((_, n) => n));
  });

  it('never delivers a message whose transaction rolled back', async () => {
    let rolledBackId: string | undefined;
    await expect(
      orm.em.fork().transactional(async (em) => {
        rolledBackId = recordEvent(em, { type: topic, key: 'concert-1', payload: { rolledBack: true } }).id;
        await em.flush();
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    // The relay publishes in commit order, so once a later marker has arrived, the rolled-back
    // message would have arrived before it if it existed.
    const marker = await commit({ marker: true });
    newRelay().start();
    await waitFor(() => received.find((m) => m.id === marker.id), 20_000, 'the marker');
    expect(received.some((m) => m.id === rolledBackId)).toBe(false);
  });

  it('keeps messages pending while the relay is down and delivers them after a restart', async () => {
    const first = newRelay();
    first.start();
    await first.stop();
    const sent = await commit({ afterRestart: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(received.some((m) => m.id === sent.id)).toBe(false);
    expect(await pendingCount()).toBe(1);
    newRelay().start();
    await waitFor(() => received.find((m) => m.id === sent.id), 20_000, 'the pending message after restart');
  });

  it('leaves a batch pending when publishing fails mid-way, and publishes it on the next attempt', async () => {
    let failNext = true;
    const flaky: EventTransport = {
      kind: transport.kind,
      publish: async (t, messages) => {
        if (failNext) {
          failNext = false;
          throw new Error('broker unavailable');
        }
        await transport.publish(t, messages);
      },
      subscribe: (o) => transport.subscribe(o),
      close: async () => undefined,
      ping: async () => undefined,
    };
    const sent = await commit({ flaky: true });
    const relay = newRelay(flaky);
    await expect(relay.publishBatch()).rejects.toThrow('broker unavailable');
    expect(await pendingCount()).toBe(1);
    await expect(relay.publishBatch()).resolves.toBe(1);
    await waitFor(() => received.find((m) => m.id === sent.id), 20_000, 'the retried message');
    expect(await pendingCount()).toBe(0);
  });
  it('pipelines several batches per transaction: every row once, in commit order', async () => {
    const sent = await orm.em.fork().transactional(async (em) => Array.from({ length: 230 }, (_, n) => recordEvent(em, { type: topic, key: 'concert-4', payload: { n } })));
    const relay = new OutboxRelay({ orm, transport, batchSize: 50, batchesPerTransaction: 3, idleMs: 20, wakeOnCommit: false });
    relays.push(relay);
    relay.start();
    const ids = new Set(sent.map((m) => m.id));
    await waitFor(() => (received.filter((m) => ids.has(m.id)).length >= sent.length ? true : undefined), 20_000, 'the whole backlog');
    expect(received.filter((m) => ids.has(m.id)).map((m) => (m.payload as { n: number }).n)).toEqual(sent.map((_, n) => n));
    // The running relay commits a transaction's marks after Kafka has taken its batches, so the
    // consumer can hold the last batch before that commit lands: the marks follow, every one.
    await waitFor(async () => ((await pendingCount()) === 0 ? true : undefined), 5_000, 'every row to be marked published');
  });

  it("rolls back a pipelined transaction's marks when a later batch fails: its rows are published again, none lost, first deliveries in order", async () => {
    let calls = 0;
    const failsSecondBatchOnce: EventTransport = {
      kind: transport.kind,
      publish: async (t, messages) => {
        if (++calls === 2) throw new Error('broker unavailable');
        await transport.publish(t, messages);
      },
      subscribe: (o) => transport.subscribe(o),
      close: async () => undefined,
      ping: async () => undefined,
    };
    const sent = await orm.em.fork().transactional(async (em) => Array.from({ length: 120 }, (_, n) => recordEvent(em, { type: topic, key: 'concert-5', payload: { n } })));
    const relay = new OutboxRelay({ orm, transport: failsSecondBatchOnce, batchSize: 50, batchesPerTransaction: 3, idleMs: 20, wakeOnCommit: false });
    relays.push(relay);
    relay.start();
    const ids = new Set(sent.map((m) => m.id));
    await waitFor(async () => ((await pendingCount()) === 0 && new Set(received.filter((m) => ids.has(m.id)).map((m) => m.id)).size === sent.length ? true : undefined), 20_000, 'every row after the retry');
    const firsts: number[] = [];
    const seen = new Set<string>();
    for (const m of received.filter((r) => ids.has(r.id))) {
      if (!seen.has(m.id)) firsts.push((m.payload as { n: number }).n);
      seen.add(m.id);
    }
    expect(firsts).toEqual(sent.map((_, n) => n));
    // The first batch went out before the failure and again after the rollback.
    expect(received.filter((m) => ids.has(m.id)).length).toBe(sent.length + 50);
  });
});
