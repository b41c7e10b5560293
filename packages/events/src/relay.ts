import type { MikroORM } from '@mikro-orm/postgresql';
import type { EventEnvelope } from './envelope';
import { OutboxWakeListener } from './outbox-wake';
import { PeriodicWorker, type TickOutcome } from './periodic-worker';
import type { EventTransport, TopicMessages } from './transport';

export interface OutboxRelayOptions {
  orm: MikroORM;
  transport: EventTransport;
  /** Rows published per transaction. */
  batchSize?: number;
  /**
   * How long to sleep when the outbox is empty. A commit that inserted outbox rows wakes the
   * relay at once (LISTEN/NOTIFY, see `wakeOnCommit`), so this is the fallback's delay.
   */
  idleMs?: number;
  /** Listen for the outbox trigger's commit notifications (default true; off: poll and `nudge()` only). */
  wakeOnCommit?: boolean;
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
  traceparent: string | null;
}

/** Held for the duration of a batch transaction so only one relay per database publishes. */
const RELAY_LOCK_KEY = "hashtext('eventix.outbox-relay')";

/**
 * Takes the relay lock and, for this transaction only, steers the claim query onto the pending
 * index in `seq` order, stopping after one batch. Left to itself the planner may (with stale
 * statistics after a burst, exactly when a backlog builds up) bitmap-scan every pending row
 * and sort them for each batch: a backlog of n rows then costs O(n²) to drain.
 *
 * And it does not wait for its commit to reach the disk (synchronous_commit off, this
 * transaction only): all it commits is "these rows were published". Lost in a crash, that only
 * means the rows are published again — the relay is at-least-once anyway and consumers drop
 * duplicates by message id — while waiting for the WAL flush cost every batch a disk sync.
 */
const LOCK_AND_PLAN =
  `select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked, set_config('enable_sort', 'off', true), ` +
  `set_config('enable_bitmapscan', 'off', true), set_config('synchronous_commit', 'off', true)`;

/**
 * Moves committed outbox rows to the transport. Each batch runs in one transaction: take the
 * relay lock, mark the oldest pending rows published (which locks them), publish them in `seq`
 * order, commit. A crash before the commit leaves the rows pending, so they are published
 * again on restart (at least once; consumers de-duplicate by message id). The transaction-level
 * advisory lock keeps a single active publisher per database, which preserves per-key order
 * when several instances run; the others wait as hot standbys.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly worker: PeriodicWorker;
  private readonly wake?: OutboxWakeListener;
  private listeningNow: Promise<void> = Promise.resolve();
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.worker = new PeriodicWorker({
      name: 'outbox relay',
      tick: () => this.tick(),
      intervalMs: options.idleMs ?? 250,
      // A broker outage is retried with backoff (0.2 s doubling to 5 s), not hammered.
      retryDelayMs: (failures) => Math.min(5_000, 100 * 2 ** failures),
      runAtStart: true,
      log: options.log,
    });
    if (options.wakeOnCommit ?? true) this.wake = new OutboxWakeListener({ orm: options.orm, onWake: () => this.nudge(), log: options.log });
  }

  start(): void {
    this.worker.start();
    if (this.wake) this.listeningNow = this.wake.start();
  }

  /** Resolves once commits wake the relay (tests and benchmarks wait for it before timing). */
  listening(): Promise<void> {
    return this.listeningNow;
  }

  /** Asks the relay to look now — services call it after committing an outbox row. */
  nudge(): void {
    this.worker.wake();
  }

  /** Resolves once the batch in flight (if any) is published and committed, or rolled back. */
  async stop(): Promise<void> {
    await this.wake?.stop();
    await this.worker.stop();
  }

  /** Publishes one batch; returns how many rows it published. Exposed for tests and tools. */
  async publishBatch(): Promise<number> {
    const em = this.options.orm.em.fork();
    return em.transactional(async (tx) => {
      const [{ locked }] = await tx.execute<Array<{ locked: boolean }>>(LOCK_AND_PLAN);
      if (!locked) return 0;
      // Claimed and marked in one statement: the mark only counts once this transaction commits,
      // after the transport has the batch; if publishing fails, the rollback unmarks them.
      const rows = await tx.execute<OutboxRow[]>(
        `update outbox set published_at = now()
          where seq in (select seq from outbox where published_at is null order by seq limit ?)
          returning seq, id, topic, message_key, type, version, payload, occurred_at, traceparent`,
        [this.batchSize],
      );
      if (!rows.length) return 0;
      // RETURNING has no order of its own; the batch goes out in `seq` order.
      rows.sort((a, b) => Number(a.seq) - Number(b.seq));
      await this.publish(rows);
      return rows.length;
    });
  }

  /** The whole batch in one request when the transport can; otherwise run by run, in `seq` order. */
  private async publish(rows: OutboxRow[]): Promise<void> {
    const { transport } = this.options;
    if (transport.publishBatch) return transport.publishBatch(byTopic(rows));
    for (const run of consecutiveRunsByTopic(rows)) await transport.publish(run.topic, run.rows.map(toEnvelope));
  }

  /** One turn of the relay: a batch, then (now and then) the cleanup of old published rows. */
  private async tick(): Promise<TickOutcome> {
    const published = await this.publishBatch();
    await this.cleanupNowAndThen();
    // A full batch means more rows are waiting: publish again at once.
    return published < this.batchSize ? 'idle' : 'more';
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
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  };
}

/** Each topic's rows, in `seq` order within the topic (the only order a topic's consumers see). */
function byTopic(rows: OutboxRow[]): TopicMessages[] {
  const topics = new Map<string, EventEnvelope[]>();
  for (const row of rows) {
    let messages = topics.get(row.topic);
    if (!messages) topics.set(row.topic, (messages = []));
    messages.push(toEnvelope(row));
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
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
