import type { MikroORM } from '@mikro-orm/postgresql';
import { PeriodicWorker } from '@eventix/events';
import type { BookingService } from './booking.service';

export interface ExpiryWorkerOptions {
  orm: MikroORM;
  bookings: BookingService;
  intervalMs?: number;
  batchSize?: number;
  /** Called after a batch expired bookings (the relay is nudged to announce them). */
  onExpired?: (count: number) => void;
  log?: (message: string) => void;
}

/**
 * Periodically expires overdue holds. Safe with one worker per instance: batches are claimed
 * with FOR UPDATE SKIP LOCKED. A read between expiry and the next run already reports the
 * booking as EXPIRED, and createBooking expires overdue holds on the seats it wants, so the
 * worker's pace never delays a sale.
 */
export class ExpiryWorker {
  private readonly worker: PeriodicWorker;

  constructor(private readonly options: ExpiryWorkerOptions) {
    this.worker = new PeriodicWorker({
      name: 'expiry worker',
      tick: () => this.runOnce().then(() => 'idle' as const),
      intervalMs: options.intervalMs ?? 1_000,
      log: options.log,
    });
  }

  start(): void {
    this.worker.start();
  }

  /** Resolves once the run in progress, if any, has committed. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Expires everything overdue now, batch after batch; returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.options.bookings.expireOverdue(this.options.orm.em.fork(), this.options.batchSize ?? 100);
      total += expired;
      if (expired) this.options.onExpired?.(expired);
      if (expired < (this.options.batchSize ?? 100)) return total;
    }
  }
}
