import type { MikroORM } from '@mikro-orm/postgresql';
import type { EventEnvelope } from './envelope';
import { sleep, type EventTransport } from './transport';

export interface OutboxRelayOptions {
  orm: MikroORM;
  transport: EventTransport;
  /** Rows published per transaction. */
  batchSize?: number;
  /** How long to sleep when the outbox is empty; `nudge()` wakes the relay earlier. */
  idleMs?: number;
  /** Published rows older than this are deleted. */
  retentionHours?: number;
  log?: (message: string) => void;
}

interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  message_key: string;
  type: string;
  version: number;
  payload: unknown;
  occurred_at: Date;
}

/** Held for the duration of a batch transaction so only one relay per database publishes. */
const RELAY_LOCK_KEY = "hashtext('eventix.outbox-relay')";

/**
 * Moves committed outbox rows to the transport. Each batch runs in one transaction: take the
 * relay lock, lock pending rows (FOR UPDATE SKIP LOCKED), publish them in `seq` order, mark them
 * published, commit. A crash before the commit leaves the rows pending, so they are published
 * again on restart (at least once; consumers de-duplicate by message id). The transaction-level
 * advisory lock keeps a single active publisher per database, which preserves per-key order
 * when several instances run; the others wait as hot standbys.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly idleMs: number;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.idleMs = options.idleMs ?? 250;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Asks the relay to look now — services call it after committing an outbox row. */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** Publishes one batch; returns how many rows it published. Exposed for tests and tools. */
  async publishBatch(): Promise<number> {
    const em = this.options.orm.em.fork();
    return em.transactional(async (tx) => {
      const [{ locked }] = await tx.execute<Array<{ locked: boolean }>>(`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked`);
      if (!locked) return 0;
      const rows = await tx.execute<OutboxRow[]>(
        `select seq, id, topic, message_key, type, version, payload, occurred_at
           from outbox where published_at is null order by seq limit ? for update skip locked`,
        [this.batchSize],
      );
      if (!rows.length) return 0;
      for (const run of consecutiveRunsByTopic(rows)) {
        await this.options.transport.publish(run.topic, run.rows.map(toEnvelope));
      }
      await tx.execute(`update outbox set published_at = now() where seq in (${rows.map(() => '?').join(',')})`, rows.map((r) => r.seq));
      return rows.length;
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const published = await this.publishBatch();
        failures = 0;
        await this.cleanupNowAndThen();
        if (published < this.batchSize) await this.idle(this.idleMs);
      } catch (error) {
        failures += 1;
        this.options.log?.(`outbox relay: ${(error as Error).message} (retry ${failures})`);
        await this.idle(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return Promise.race([
      sleep(ms),
      new Promise<void>((resolve) => {
        this.wake = resolve;
      }),
    ]).finally(() => {
      this.wake = undefined;
    });
  }

  private async cleanupNowAndThen(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    const hours = this.options.retentionHours ?? 24;
    await this.options.orm.em.fork().execute(`delete from outbox where published_at < now() - make_interval(hours => ?)`, [hours]);
  }
}

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    key: row.message_key,
    payload: row.payload,
  };
}

/** Groups rows into runs of one topic without reordering them. */
function consecutiveRunsByTopic(rows: OutboxRow[]): Array<{ topic: string; rows: OutboxRow[] }> {
  const runs: Array<{ topic: string; rows: OutboxRow[] }> = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last.topic === row.topic) last.rows.push(row);
    else runs.push({ topic: row.topic, rows: [row] });
  }
  return runs;
}
