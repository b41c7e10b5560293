import { exitOnTerminationSignals, flushBeforeExit } from './shutdown';

/** Runs exitOnTerminationSignals' SIGTERM handler directly (no real signal reaches the test process). */
async function terminate(stop: () => Promise<void>): Promise<{ code: number; order: string[] }> {
  const order: string[] = [];
  const before = process.listeners('SIGTERM');
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  exitOnTerminationSignals({ stop: () => stop().finally(() => order.push('stopped')), timeoutMs: 5_000, log: () => undefined, exit: (code) => { order.push(`exit ${code}`); exited(code); } });
  const added = process.listeners('SIGTERM').filter((l) => !before.includes(l));
  try {
    for (const listener of added) (listener as (signal: NodeJS.Signals) => void)('SIGTERM');
    return { code: await exit, order };
  } finally {
    for (const listener of added) process.removeListener('SIGTERM', listener);
    for (const listener of process.listeners('SIGINT').filter((l) => !before.includes(l))) process.removeListener('SIGINT', listener);
  }
}

describe('exitOnTerminationSignals with flushBeforeExit', () => {
  it('runs the registered flushes after the stop sequence and before exit, also when stopping failed', async () => {
    const flushed: string[] = [];
    flushBeforeExit(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      flushed.push('spans');
    });
    const ok = await terminate(async () => undefined);
    expect(ok).toEqual({ code: 0, order: ['stopped', 'exit 0'] });
    expect(flushed).toEqual(['spans']);

    const failed = await terminate(() => Promise.reject(new Error('database gone')));
    expect(failed.code).toBe(1);
    expect(flushed).toEqual(['spans', 'spans']);
  });

  it('exits even when a flush fails', async () => {
    flushBeforeExit(() => Promise.reject(new Error('collector down')));
    expect((await terminate(async () => undefined)).code).toBe(0);
  });
});
