import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { EventEnvelope } from './envelope';
import { OutboxWakeListener } from './outbox-wake';
import { PeriodicWorker, type TickOutcome } from './periodic-worker';
import type { EventTransport, TopicMessages } from './transport';

export interface OutboxRelayOptions {
  orm: MikroORM;
  transport: EventTransport;
  /** Rows per batch: what one request to the transport carries at most. */
  batchSize?: number;
  /**
   * Batches one transaction may publish (default 4): the next batch is claimed while the
   * transport sends the current one, so the database's share of the work hides behind the
   * broker's round trip. A failure rolls back the whole transaction's marks: its batches that
   * were already sent are sent again (at least once, as after a crash).
   */
  batchesPerTransaction?: number;
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
 * Moves committed outbox rows to the transport. Batches run in a transaction: take the relay
 * lock, mark the oldest pending rows published (which locks them), publish them in `seq` order
 * (claiming the next batch meanwhile), commit. A crash before the commit leaves the rows
 * pending, so they are published again on restart (at least once; consumers de-duplicate by
 * message id). The transaction-level advisory lock keeps a single active publisher per
 * database, which preserves per-key order when several instances run; the others wait as hot
 * standbys.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly batchesPerTransaction: number;
  private readonly worker: PeriodicWorker;
  private readonly wake?: OutboxWakeListener;
  private listeningNow: Promise<void> = Promise.resolve();
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.batchesPerTransaction = Math.max(1, options.batchesPerTransaction ?? 4);
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
  publishBatch(): Promise<number> {
    return this.publishBatches(1);
  }

  /**
   * Publishes up to `batches` batches in one transaction, claiming batch n+1 while the transport
   * sends batch n; batches still go out one after another, in `seq` order. Returns the rows
   * published.
   */
  private async publishBatches(batches: number): Promise<number> {
    const em = this.options.orm.em.fork();
    return em.transactional(async (tx) => {
      const [{ locked }] = await tx.execute<Array<{ locked: boolean }>>(LOCK_AND_PLAN);
      if (!locked) return 0;
      let published = 0;
      let batch = await this.claim(tx);
      for (let n = 1; batch.length; n++) {
        const another = batch.length === this.batchSize && n < batches;
        // Both settle before either failure is thrown: the transaction's connection must be idle
        // when the rollback is sent.
        const [sent, next] = await Promise.allSettled([this.publish(batch), another ? this.claim(tx) : Promise.resolve([])]);
        if (sent.status === 'rejected') throw sent.reason;
        if (next.status === 'rejected') throw next.reason;
        published += batch.length;
        batch = next.value;
      }
      return published;
    });
  }

  /**
   * Marks the oldest pending rows published and returns them in `seq` order. The mark counts only
   * if the transaction commits, after the transport has the rows; a failed publish rolls it back.
   */
  private async claim(tx: EntityManager): Promise<OutboxRow[]> {
    const rows = await tx.execute<OutboxRow[]>(
      `update outbox set published_at = now()
        where seq in (select seq from outbox where published_at is null order by seq limit ?)
        returning seq, id, topic, message_key, type, version, payload, occurred_at, traceparent`,
      [this.batchSize],
    );
    // RETURNING has no order of its own.
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  /** The whole batch in one request when the transport can; otherwise run by run, in `seq` order. */
  private async publish(rows: OutboxRow[]): Promise<void> {
    const { transport } = this.options;
    if (transport.publishBatch) return transport.publishBatch(byTopic(rows));
    for (const run of consecutiveRunsByTopic(rows)) await transport.publish(run.topic, run.rows.map(toEnvelope));
  }

  /** One turn of the relay: a batch, then (now and then) the cleanup of old published rows. */
  private async tick(): Promise<TickOutcome> {
    const published = await this.publishBatches(this.batchesPerTransaction);
    await this.cleanupNowAndThen();
    // Every batch full means more rows are waiting: publish again at once.
    return published < this.batchSize * this.batchesPerTransaction ? 'idle' : 'more';
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
