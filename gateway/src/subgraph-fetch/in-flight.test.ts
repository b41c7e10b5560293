import { InFlight } from './in-flight';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('InFlight', () => {
  it('runs concurrent work of one key once and hands every caller the same result', async () => {
    let shared = 0;
    const inFlight = new InFlight<string>(() => shared++);
    const answer = deferred<string>();
    const work = jest.fn(() => answer.promise);
    const calls = [inFlight.run('k', work), inFlight.run('k', work), inFlight.run('k', work)];
    const other = inFlight.run('other', async () => 'other answer');
    answer.resolve('{"data":{}}');
    expect(await Promise.all(calls)).toEqual(['{"data":{}}', '{"data":{}}', '{"data":{}}']);
    expect(await other).toBe('other answer');
    expect(work).toHaveBeenCalledTimes(1);
    expect(shared).toBe(2);
  });

  it('forgets a key once its work settles: the next caller fetches anew (no caching)', async () => {
    const inFlight = new InFlight<number>();
    let runs = 0;
    expect(await inFlight.run('k', async () => ++runs)).toBe(1);
    expect(inFlight.size).toBe(0);
    expect(await inFlight.run('k', async () => ++runs)).toBe(2);
  });

  it('hands a failure to every waiter, then forgets it', async () => {
    const inFlight = new InFlight<string>();
    const answer = deferred<string>();
    const calls = [inFlight.run('k', () => answer.promise), inFlight.run('k', () => answer.promise)].map((p) => p.catch((e: Error) => e.message));
    answer.reject(new Error('ECONNREFUSED'));
    expect(await Promise.all(calls)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(await inFlight.run('k', async () => 'recovered')).toBe('recovered');
  });
});
