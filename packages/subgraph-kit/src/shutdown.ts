import { ConfigError, type EnvSource } from '@eventix/config';

/** How long a stop may take before the process gives up on it, unless SHUTDOWN_TIMEOUT_MS says otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;

/** One named part of a service's stop, e.g. `['consumers', () => ...]`; `undefined` skips it. */
export type StopStep = readonly [part: string, stop: (() => Promise<unknown> | void) | undefined];

/**
 * Parts whose stop has begun and not yet finished, across every service of this process (the
 * launcher stops several at once), with when each began: what a shutdown that overran its
 * deadline names as having hung.
 */
const pendingSteps = new Map<string, number>();
/** Steps finished since the last signal, with their durations: the stop's own log line says where the time went. */
const finishedSteps: string[] = [];

/** `booking: consumers (8012 ms)`, ... for each part still stopping. */
export function pendingStopSteps(now = Date.now()): string[] {
  return [...pendingSteps].map(([step, since]) => `${step} (${now - since} ms)`);
}

/**
 * Runs a service's stop steps one after another, in the order given: the order is the point
 * (stop taking requests before the consumers, the consumers before the database). A failing
 * step does not keep the later ones from running — the database is still closed when a consumer
 * failed to leave its group — and the failures are thrown together at the end.
 */
export async function stopInOrder(service: string, steps: readonly StopStep[]): Promise<void> {
  const failures: Error[] = [];
  for (const [part, stop] of steps) {
    if (!stop) continue;
    const key = `${service}: ${part}`;
    const started = Date.now();
    pendingSteps.set(key, started);
    try {
      await stop();
    } catch (error) {
      failures.push(new Error(`${key}: ${error instanceof Error ? error.message : String(error)}`));
    } finally {
      pendingSteps.delete(key);
      if (finishedSteps.length < 100) finishedSteps.push(`${key} ${Date.now() - started} ms`);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
}

/** SHUTDOWN_TIMEOUT_MS (milliseconds, > 0), read by every entry point the same way. */
export function loadShutdownTimeout(service: string, env: EnvSource = process.env): number {
  const raw = env.SHUTDOWN_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(service, [{ variable: 'SHUTDOWN_TIMEOUT_MS', message: 'must be a positive whole number of milliseconds' }]);
  return value;
}

export interface TerminationOptions {
  /** Stops the service (see {@link stopInOrder}); exit 0 when it resolves, 1 when it throws. */
  stop: () => Promise<void>;
  /** After this long the process logs what is still stopping and exits 1. */
  timeoutMs: number;
  log: (message: string) => void;
  /** Replaces `process.exit` (tests). */
  exit?: (code: number) => void;
}

/** What must still run after the service has stopped and before the process exits (e.g. flushing buffered trace spans). */
const finalFlushes: Array<() => Promise<void>> = [];

/**
 * Registers `flush` to run once the stop sequence has finished, within the same deadline, before
 * the process exits — for exporters whose buffers would otherwise die with the process.
 */
export function flushBeforeExit(flush: () => Promise<void>): void {
  finalFlushes.push(flush);
}

const runFinalFlushes = () => Promise.allSettled(finalFlushes.map((flush) => flush())).then(() => undefined);

/**
 * Stops the process on SIGINT/SIGTERM: one stop with a deadline, then exit. Nothing else may
 * handle these signals — Apollo Server's own handler (off via `stopOnTerminationSignals: false`)
 * re-sent the signal after draining HTTP and killed the process (exit 143) before the consumers
 * had left their groups. A second signal while stopping is logged and otherwise ignored: it
 * neither starts a second stop nor kills the first half-way (an orchestrator's SIGKILL still
 * does, and the deadline exits on its own before a typical 30 s kill).
 */
export function exitOnTerminationSignals({ stop, timeoutMs, log, exit = (code) => process.exit(code) }: TerminationOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: already stopping (gives up after ${timeoutMs} ms)`);
      return;
    }
    stopping = true;
    finishedSteps.length = 0;
    const started = Date.now();
    log(`${signal}: stopping (gives up after ${timeoutMs} ms)`);
    const deadline = setTimeout(() => {
      const hung = pendingStopSteps();
      log(`did not stop within ${timeoutMs} ms; still stopping: ${hung.length ? hung.join(', ') : 'nothing named (a step outside stopInOrder)'}`);
      exit(1);
    }, timeoutMs);
    stop().then(
      async () => {
        await runFinalFlushes();
        clearTimeout(deadline);
        log(`stopped in ${Date.now() - started} ms (${finishedSteps.join(', ')})`);
        exit(0);
      },
      async (error: unknown) => {
        await runFinalFlushes();
        clearTimeout(deadline);
        log(`stop failed after ${Date.now() - started} ms: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
