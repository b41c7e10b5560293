import { Counter, register } from 'prom-client';

/**
 * A counter in prom-client's default register, which every service's /metrics serves: the
 * registered one of that name, or a new one. Callers look it up on each use rather than hold it
 * in a module constant: in embedded mode several services share one process (a second
 * `new Counter` with the same name would throw), and a test or server that clears the register
 * gets fresh counters instead of detached ones.
 */
export function registeredCounter<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Counter<Label> {
  const existing = register.getSingleMetric(name) as Counter<Label> | undefined;
  return existing ?? new Counter({ name, help, labelNames, registers: [register] });
}

export const DEAD_LETTERS_METRIC = 'eventix_dead_letters_total';
export const DELIVERY_RETRIES_METRIC = 'eventix_delivery_retries_total';

/** A message given up on and written to `<topic>.dlq` (or kept aside by the in-process bus). */
export function countDeadLetter(topic: string, group: string): void {
  registeredCounter(DEAD_LETTERS_METRIC, 'Messages a consumer gave up on and dead-lettered', ['topic', 'group'] as const).inc({ topic, group });
}

/** A failed handler attempt that will be retried; `reason` is the classifier's bounded label. */
export function countDeliveryRetry(topic: string, group: string, reason: string): void {
  registeredCounter(DELIVERY_RETRIES_METRIC, 'Failed handler attempts that are retried, by failure reason', ['topic', 'group', 'reason'] as const).inc({
    topic,
    group,
    reason,
  });
}
