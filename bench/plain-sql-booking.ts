import crypto from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureDatabase, externalPostgres } from '@eventix/local-infra';

/** One round of contention: the latency of each winner and each SEAT_UNAVAILABLE loser, and any other outcome. */
export interface ContentionRound {
  round: number;
  winners: number[];
  losers: number[];
  other: Record<string, number>;
}

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The baseline for createBooking's contention shape (bench/bookings.bench.ts (c)): `clients`
 * node-postgres connections race for one seat per round on a scratch table pair, with the same
 * protocol as booking's create-booking.ts but nothing else — no HTTP, GraphQL or ORM:
 * lock the seat FOR UPDATE NOWAIT, check for an active hold, insert one (a partial unique index
 * is the backstop) and commit; a loser whose lock attempt failed waits FOR SHARE until the
 * holder has ended and reads once (held → lost, free → another attempt). (Booking locks with
 * SKIP LOCKED and is told which seats were busy, so that it waits on those only; for one seat
 * per request that is NOWAIT.)
 *
 * The first `warmUpRounds` are run as the bench runs ours (uncounted) and left out.
 *
 * It runs on a scratch database of its own on DATABASE_URL's server, after the bench platform
 * has stopped: 64 more connections next to the services' pools would pass PostgreSQL's default
 * max_connections (100).
 */
export async function plainSqlContention(clients: number, rounds: number, warmUpRounds = 0): Promise<ContentionRound[]> {
  const postgres = externalPostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `bench_plain_${crypto.randomBytes(4).toString('hex')}`;
  const databaseUrl = await ensureDatabase(postgres.serverUrl, name);
  try {
    return (await race(databaseUrl, clients, warmUpRounds + rounds)).slice(warmUpRounds);
  } finally {
    await dropDatabase(postgres.serverUrl, name);
    await postgres.stop();
  }
}

async function race(databaseUrl: string, clients: number, rounds: number): Promise<ContentionRound[]> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const buyers = Array.from({ length: clients }, () => new pg.Client({ connectionString: databaseUrl }));
  try {
    await admin.query(`create table bench_plain_seat (id integer primary key);
      create table bench_plain_hold (seat_id integer not null references bench_plain_seat (id), buyer integer not null, active boolean not null default true);
      create unique index bench_plain_hold_active on bench_plain_hold (seat_id) where active;
      insert into bench_plain_seat (id) select generate_series(0, ${rounds - 1});`);
    await Promise.all(buyers.map((b) => b.connect()));
    const results: ContentionRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const outcomes = await Promise.all(buyers.map((b, i) => timed(() => book(b, round, i))));
      results.push({
        round,
        winners: outcomes.filter((o) => o.outcome === 'won').map((o) => o.ms),
        losers: outcomes.filter((o) => o.outcome === 'lost').map((o) => o.ms),
        other: {},
      });
    }
    return results;
  } finally {
    await Promise.allSettled(buyers.map((b) => b.end()));
    await admin.end();
  }
}

async function timed(fn: () => Promise<'won' | 'lost'>): Promise<{ ms: number; outcome: 'won' | 'lost' }> {
  const started = performance.now();
  const outcome = await fn();
  return { ms: performance.now() - started, outcome };
}

async function book(client: pg.Client, seat: number, buyer: number): Promise<'won' | 'lost'> {
  for (;;) {
    try {
      await client.query('begin');
      await client.query('select id from bench_plain_seat where id = $1 for update nowait', [seat]);
      const held = await client.query('select 1 from bench_plain_hold where seat_id = $1 and active', [seat]);
      if (held.rowCount) {
        await client.query('rollback');
        return 'lost';
      }
      await client.query('insert into bench_plain_hold (seat_id, buyer) values ($1, $2)', [seat, buyer]);
      await client.query('commit');
      return 'won';
    } catch (error) {
      await client.query('rollback');
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
    }
    await client.query('begin');
    await client.query('select id from bench_plain_seat where id = $1 for share', [seat]);
    const held = await client.query('select 1 from bench_plain_hold where seat_id = $1 and active', [seat]);
    await client.query('commit');
    if (held.rowCount) return 'lost';
  }
}
