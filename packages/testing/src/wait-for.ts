/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`.
 * `what` may be a function: it is read when the wait fails, so it can show output gathered
 * while waiting (a template string would show only what was there when the wait began).
 */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what: string | (() => string) = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
