/** What one run of a periodic worker reports. */
export type TickOutcome =
  /** Nothing more to do now: wait the interval (or a wake-up) before the next run. */
  | 'idle'
  /** Work is left (a full batch): run again at once. */
  | 'more';

export interface PeriodicWorkerOptions {
  /** Names the worker in log lines. */
  name: string;
  /** One run. A rejection is logged and the loop carries on after `retryDelayMs`. */
  tick: () => Promise<TickOutcome | void>;
  /** Pause between runs that found nothing more to do. */
  intervalMs: number;
  /** Pause after the n-th failure in a row (default: the interval). */
  retryDelayMs?: (failures: number) => number;
  /** First run at `start()` (true) or one interval later (false, the default). */
  runAtStart?: boolean;
  log?: (message: string) => void;
}

/**
 * Runs `tick` again and again with a pause in between: the loop the expiry worker, the payment
 * settlement workers and the outbox relay share. Runs never overlap (one loop, one tick at a
 * time); `wake()` cuts a pause short, or — during a run — asks for another run right after it,
 * so a wake-up is never lost; `stop()` ends the pause at once but waits for a run in progress,
 * so whatever the tick uses (the database) may be closed after it. A failing tick is logged and
 * retried after `retryDelayMs`: a worker never dies of a transient error.
 */
export class PeriodicWorker {
  private loop?: Promise<void>;
  private stopping = false;
  private woken = false;
  private endPause?: () => void;

  constructor(private readonly options: PeriodicWorkerOptions) {}

  /** True between `start()` and the end of `stop()`. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.woken = false;
    this.loop = this.run();
  }

  /** Run now: ends the current pause, or runs again right after the run in progress. */
  wake(): void {
    this.woken = true;
    this.endPause?.();
  }

  /** Resolves once the loop has ended; a run in progress is finished first, never cut off. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.endPause?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    let failures = 0;
    if (!this.options.runAtStart) await this.pause(this.options.intervalMs);
    while (!this.stopping) {
      this.woken = false;
      let delay = this.options.intervalMs;
      try {
        if ((await this.options.tick()) === 'more') delay = 0;
        failures = 0;
      } catch (error) {
        failures += 1;
        delay = this.options.retryDelayMs?.(failures) ?? this.options.intervalMs;
        this.options.log?.(`${this.options.name}: ${(error as Error).message} (failure ${failures} in a row; next try in ${delay} ms)`);
      }
      if (delay > 0 && !this.woken) await this.pause(delay);
    }
  }

  /** Sleeps `ms`, or less if woken or stopped. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.endPause = done;
    });
  }
}
