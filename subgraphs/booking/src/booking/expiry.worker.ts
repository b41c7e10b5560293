import type { MikroORM } from '@mikro-orm/postgresql';
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
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(private readonly options: ExpiryWorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
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

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: Error) => this.options.log?.(`expiry worker: ${error.message}`))
        .finally(() => this.schedule());
    }, this.options.intervalMs ?? 1_000);
  }
}
