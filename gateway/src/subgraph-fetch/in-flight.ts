/**
 * Shares one in-flight promise between concurrent callers with the same key: the first caller
 * starts the work, callers arriving while it runs wait for the same result, and once it settles
 * the key is forgotten, so the next caller starts afresh. Nothing is cached beyond the life of
 * the one call. What is safe to share is decided by whoever builds the key (see
 * docs/adr/0011-subgraph-fetch-dedup.md); the shared result must be immutable (a string here).
 */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  constructor(private readonly onShared?: () => void) {}

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) {
      this.onShared?.();
      return existing;
    }
    const started = work();
    this.running.set(key, started);
    // Forget the key whether the work succeeded or failed; the caller still sees the failure.
    const forget = () => {
      if (this.running.get(key) === started) this.running.delete(key);
    };
    started.then(forget, forget);
    return started;
  }

  /** Keys with work in progress (for tests and metrics). */
  get size(): number {
    return this.running.size;
  }
}
