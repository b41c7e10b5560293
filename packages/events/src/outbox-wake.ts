import type { MikroORM } from '@mikro-orm/postgresql';
import { OUTBOX_WAKE_CHANNEL } from './schema.sql';

export interface OutboxWakeOptions {
  orm: MikroORM;
  /** Called when a transaction that inserted outbox rows committed (and after a reconnect). */
  onWake: () => void;
  log?: (message: string) => void;
}

/** The part of node-postgres' Client the listener uses (knex hands out a raw one). */
interface ListeningConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  removeAllListeners(): void;
}

const RECONNECT_MAX_MS = 5_000;

/**
 * Wakes the relay when an outbox row commits: the outbox's insert trigger NOTIFYs, and this
 * listener LISTENs on a dedicated connection (a pooled one would be handed back, and LISTEN is
 * per session). Notifications arrive only after commit, from any replica or client that wrote
 * the row, so a standby relay hears them too. The relay's poll stays the fallback: while this
 * connection is down the rows are still published, a poll interval later; after a reconnect
 * the relay is woken once, for whatever committed while nobody listened. The trigger itself
 * (`outboxWakeTriggerSql`) comes with each service's migrations; the listener changes no schema.
 */
export class OutboxWakeListener {
  private connection?: ListeningConnection;
  private stopped = false;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private firstListen?: Promise<void>;

  constructor(private readonly options: OutboxWakeOptions) {}

  /** Resolves once the listener listens (or failed its first try; it keeps retrying by itself). */
  start(): Promise<void> {
    this.stopped = false;
    this.firstListen ??= this.connect();
    return this.firstListen;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.release();
    this.firstListen = undefined;
  }

  private async connect(): Promise<void> {
    try {
      const connection = (await this.knexClient().acquireRawConnection()) as ListeningConnection;
      this.connection = connection;
      connection.on('notification', (message) => {
        if (message.channel === OUTBOX_WAKE_CHANNEL) this.options.onWake();
      });
      connection.on('error', (error) => this.lost(error));
      connection.on('end', () => this.lost());
      await connection.query(`listen ${OUTBOX_WAKE_CHANNEL}`);
      if (this.stopped) return void (await this.release());
      if (this.failures) this.options.log?.('outbox relay: listening for commits again');
      this.failures = 0;
      // Rows may have committed while nobody listened: look once.
      this.options.onWake();
    } catch (error) {
      this.lost(error as Error);
    }
  }

  /** The connection failed or ended: drop it and listen again after a backoff (the poll covers the gap). */
  private lost(error?: Error): void {
    void this.release();
    if (this.stopped || this.retryTimer) return;
    this.failures += 1;
    const delay = Math.min(RECONNECT_MAX_MS, 100 * 2 ** this.failures);
    if (this.failures === 1) this.options.log?.(`outbox relay: commit notifications lost (${error?.message ?? 'connection ended'}); polling until listening again`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
  }

  private async release(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.removeAllListeners();
    // A broken connection may throw on the way out; it is gone either way.
    connection.on('error', () => undefined);
    await this.knexClient()
      .destroyRawConnection(connection)
      .catch(() => undefined);
  }

  private knexClient() {
    return this.options.orm.em.getConnection().getKnex().client;
  }
}
