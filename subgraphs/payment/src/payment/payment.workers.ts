import type { MikroORM } from '@mikro-orm/postgresql';
import type { PaymentService } from './payment.service';

/**
 * Background settlement: reconciles charges stuck in PROCESSING and performs due refunds. Both
 * are idempotent, so several instances may run it; `kick()` runs it at once (after a booking
 * asked for a refund) instead of waiting for the next tick.
 */
export class PaymentWorkers {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentService,
    private readonly intervalMs: number,
    private readonly onChange: () => void,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  kick(): void {
    if (!this.stopped) this.running = this.running.then(() => this.runOnce());
  }

  async runOnce(): Promise<void> {
    try {
      const reconciled = await this.payments.reconcile(this.orm.em.fork());
      const refunded = await this.payments.refundDue(this.orm.em.fork());
      if (reconciled || refunded) this.onChange();
    } catch (error) {
      this.log(`payment workers: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.running.then(() => this.runOnce()).finally(() => this.schedule());
    }, this.intervalMs);
  }
}
