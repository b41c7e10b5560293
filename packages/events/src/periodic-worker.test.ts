import { PeriodicWorker, type PeriodicWorkerOptions } from './periodic-worker';
import { sleep } from './transport';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Polls until `check` holds (fails the test after a second). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 1 s');
    await sleep(2);
  }
}

describe('PeriodicWorker', () => {
  const workers: PeriodicWorker[] = [];
  const worker = (options: Partial<PeriodicWorkerOptions> & Pick<PeriodicWorkerOptions, 'tick'>) => {
    const created = new PeriodicWorker({ name: 'test worker', intervalMs: 5, ...options });
    workers.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  it('runs its tick again and again, an interval apart', async () => {
    let runs = 0;
    worker({ tick: async () => void runs++ }).start();
    await until(() => runs >= 3);
  });

  it('waits one interval before the first run unless told to run at start', async () => {
    let late = 0;
    let early = 0;
    worker({ tick: async () => void late++, intervalMs: 60_000 }).start();
    worker({ tick: async () => void early++, intervalMs: 60_000, runAtStart: true }).start();
    await until(() => early === 1);
    await sleep(20);
    expect(late).toBe(0);
  });

  it('wake() cuts the pause short', async () => {
    let runs = 0;
    const w = worker({ tick: async () => void runs++, intervalMs: 60_000, runAtStart: true });
    w.start();
    await until(() => runs === 1);
    w.wake();
    await until(() => runs === 2);
  });

  it('never overlaps runs, however often it is woken', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const w = worker({
      tick: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(10);
        inFlight--;
        runs++;
      },
      intervalMs: 1,
      runAtStart: true,
    });
    w.start();
    const waking = setInterval(() => w.wake(), 1);
    try {
      await until(() => runs >= 5);
    } finally {
      clearInterval(waking);
    }
    expect(most).toBe(1);
  });

  it('a wake-up during a run is not lost: another run follows at once', async () => {
    const inTick = gate();
    const release = gate();
    let runs = 0;
    const w = worker({
      tick: async () => {
        runs++;
        if (runs === 1) {
          inTick.open();
          await release.opened;
        }
      },
      intervalMs: 60_000,
      runAtStart: true,
    });
    w.start();
    await inTick.opened;
    w.wake();
    release.open();
    await until(() => runs === 2);
  });

  it("runs again without a pause while the tick reports 'more'", async () => {
    const outcomes = ['more', 'more', 'idle'] as const;
    let runs = 0;
    worker({ tick: async () => outcomes[runs++] ?? 'idle', intervalMs: 60_000, runAtStart: true }).start();
    await until(() => runs === 3);
    await sleep(20);
    expect(runs).toBe(3);
  });

  it('stop() waits for the run in progress and no run starts after it', async () => {
    const inTick = gate();
    const release = gate();
    let finished = 0;
    let started = 0;
    const w = worker({
      tick: async () => {
        started++;
        inTick.open();
        await release.opened;
        finished++;
      },
      intervalMs: 1,
      runAtStart: true,
    });
    w.start();
    await inTick.opened;
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect(finished).toBe(1);
    await sleep(20);
    expect(started).toBe(1);
    expect(w.running).toBe(false);
  });

  it('stop() ends a pause at once', async () => {
    const w = worker({ tick: async () => undefined, intervalMs: 60_000 });
    w.start();
    const started = Date.now();
    await w.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('logs a failing tick and carries on, with the retry delay for the failures in a row', async () => {
    const lines: string[] = [];
    const delays: number[] = [];
    let runs = 0;
    worker({
      tick: async () => {
        runs++;
        if (runs <= 2) throw new Error(`broker down (${runs})`);
      },
      retryDelayMs: (failures) => {
        delays.push(failures);
        return 1;
      },
      runAtStart: true,
      log: (line) => lines.push(line),
    }).start();
    await until(() => runs >= 4);
    expect(lines).toEqual([expect.stringMatching(/^test worker: broker down \(1\) \(failure 1 in a row/), expect.stringMatching(/^test worker: broker down \(2\) \(failure 2 in a row/)]);
    expect(delays).toEqual([1, 2]);
  });

  it('can be started again after stop()', async () => {
    let runs = 0;
    const w = worker({ tick: async () => void runs++, runAtStart: true });
    w.start();
    await until(() => runs >= 1);
    await w.stop();
    const before = runs;
    w.start();
    await until(() => runs > before);
  });
});
