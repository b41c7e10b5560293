import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createTestDatabase, uniqueSuffix, waitFor, type TestDatabase } from '@eventix/testing';
import { recordEvent } from './outbox';
import { OutboxMessage } from './outbox.entity';
import { OutboxWakeListener } from './outbox-wake';
import { OUTBOX_WAKE_CHANNEL, outboxTablesSql, outboxTraceparentSql, outboxWakeTriggerSql } from './schema.sql';

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('outbox wake-up on commit (LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let wakes = 0;
  let listener: OutboxWakeListener;
  const logs: string[] = [];

  const write = (em: Parameters<typeof recordEvent>[0]) => recordEvent(em, { type: 'test.wake', key: 'k', payload: {} });

  beforeAll(async () => {
    db = await createTestDatabase('events_wake');
    orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: db.url, entities: [OutboxMessage], contextName: `wake-${uniqueSuffix()}`, allowGlobalContext: false });
    // What each service's migrations create (the listener itself creates no schema).
    for (const sql of [...outboxTablesSql, outboxTraceparentSql, ...outboxWakeTriggerSql]) await orm.em.fork().execute(sql);
    listener = new OutboxWakeListener({ orm, onWake: () => void (wakes += 1), log: (m) => logs.push(m) });
    await listener.start();
  });

  afterAll(async () => {
    await listener.stop();
    await orm.close();
    await db.drop();
  });

  it('changes no schema when it starts: the trigger is the migrations\' (one, however many listeners start)', async () => {
    const second = new OutboxWakeListener({ orm, onWake: () => undefined });
    await second.start();
    await second.stop();
    const triggers = await orm.em.fork().execute<unknown[]>(`select 1 from pg_trigger where tgname = 'outbox_wake'`);
    expect(triggers).toHaveLength(1);
    // On a database without the trigger (not migrated yet) a listener starts and listens all the
    // same, and creates nothing: the relay's poll publishes meanwhile.
    const bare = await createTestDatabase('events_wake_bare');
    const bareOrm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: bare.url, entities: [OutboxMessage], contextName: `wake-bare-${uniqueSuffix()}`, allowGlobalContext: false });
    try {
      for (const sql of [...outboxTablesSql, outboxTraceparentSql]) await bareOrm.em.fork().execute(sql);
      const unmigrated = new OutboxWakeListener({ orm: bareOrm, onWake: () => undefined });
      await unmigrated.start();
      await unmigrated.stop();
      expect(await bareOrm.em.fork().execute<unknown[]>(`select 1 from pg_trigger where tgname = 'outbox_wake'`)).toHaveLength(0);
    } finally {
      await bareOrm.close();
      await bare.drop();
    }
  });

  it('wakes once a transaction that inserted outbox rows commits, not before', async () => {
    await settle();
    const before = wakes;
    await orm.em.fork().transactional(async (em) => {
      write(em);
      write(em);
      await em.flush();
      await settle();
      // Inserted, flushed, not committed: PostgreSQL holds the notification until the commit.
      expect(wakes).toBe(before);
    });
    await waitFor(() => (wakes > before ? true : undefined), 2_000, 'the wake-up after commit');
    await settle();
    // Identical notifications of one transaction fold into one.
    expect(wakes).toBe(before + 1);
  });

  it('does not wake for a transaction that rolled back', async () => {
    await settle();
    const before = wakes;
    await expect(
      orm.em.fork().transactional(async (em) => {
        write(em);
        await em.flush();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await settle();
    expect(wakes).toBe(before);
  });

  it('listens again after its connection is killed, and wakes once for what it may have missed', async () => {
    await settle();
    const before = wakes;
    const [{ killed }] = await orm.em
      .fork()
      .execute<Array<{ killed: boolean }>>(
        `select bool_or(pg_terminate_backend(pid)) as killed from pg_stat_activity where datname = current_database() and query = 'listen ${OUTBOX_WAKE_CHANNEL}'`,
      );
    expect(killed).toBe(true);
    await waitFor(() => (wakes > before ? true : undefined), 5_000, 'the catch-up wake-up after reconnecting');
    expect(logs.some((m) => m.includes('commit notifications lost'))).toBe(true);
    const afterReconnect = wakes;
    await orm.em.fork().transactional(async (em) => void write(em));
    await waitFor(() => (wakes > afterReconnect ? true : undefined), 2_000, 'a wake-up on the new connection');
  });
});
