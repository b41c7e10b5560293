import type { MikroORM } from '@mikro-orm/postgresql';
import { PeriodicWorker } from '@eventix/events';
import type { PaymentService } from './payment.service';

/**
 * Background settlement: reconciles charges stuck in PROCESSING and performs due refunds. Both
 * are idempotent, so several instances may run it; `kick()` runs it at once (after a booking
 * asked for a refund) instead of waiting for the next tick.
 */
export class PaymentWorkers {
  private readonly worker: PeriodicWorker;

  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentService,
    intervalMs: number,
    private readonly onChange: () => void,
    log: (message: string) => void,
  ) {
    this.worker = new PeriodicWorker({ name: 'payment workers', tick: () => this.runOnce().then(() => 'idle' as const), intervalMs, log });
  }

  start(): void {
    this.worker.start();
  }

  /** Runs the settlement now, or right after the run in progress (runs never overlap). */
  kick(): void {
    this.worker.wake();
  }

  /** One settlement pass; throws what failed (the loop logs it and tries again next tick). */
  async runOnce(): Promise<void> {
    const reconciled = await this.payments.reconcile(this.orm.em.fork());
    const refunded = await this.payments.refundDue(this.orm.em.fork());
    if (reconciled || refunded) this.onChange();
  }

  /** Resolves once the run in progress, if any, has finished. */
  stop(): Promise<void> {
    return this.worker.stop();
  }
}
