import { sendJson, type Route } from './graphql-http';

/**
 * Each probe's own deadline. An orchestrator's readiness probe typically gives up after 1 s: a
 * dead Redis or Kafka must be reported well within that, not after the client's retries.
 */
export const PROBE_TIMEOUT_MS = 500;

/** Resolves when its part answers; rejects (or stays pending) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  /** Per-probe deadline in ms (default {@link PROBE_TIMEOUT_MS}). */
  probeTimeoutMs?: number;
  /** True once the service is stopping: readiness answers 503 so no new traffic is routed here. */
  stopping?: () => boolean;
  /** After this long an unanswered probe is abandoned and a fresh one starts (default 5 s). */
  abandonProbeAfterMs?: number;
}

/** A probe still unanswered after this long is left to settle on its own and a fresh one starts. */
const ABANDON_PROBE_AFTER_MS = 5_000;

/**
 * Starts a probe unless the previous one of the same part is still running, in which case the
 * caller waits on that one. During an outage a kafkajs admin connect keeps retrying and an
 * ioredis command waits for a reconnect; starting one per request would pile them up, and each
 * readiness request would still wait its full deadline anyway. A probe that never settles is
 * replaced after {@link ABANDON_PROBE_AFTER_MS}, so it cannot keep the service unready forever.
 */
function singleFlight(check: ReadinessCheck, abandonAfterMs: number): () => { result: Promise<unknown>; since: number } {
  let current: { result: Promise<unknown>; since: number } | undefined;
  return () => {
    if (current && Date.now() - current.since < abandonAfterMs) return current;
    const started = { result: Promise.resolve().then(check), since: Date.now() };
    current = started;
    // Cleared on settling, so the next request probes afresh rather than reading a stale answer.
    const clear = () => {
      if (current === started) current = undefined;
    };
    started.result.then(clear, clear);
    return started;
  };
}

/**
 * GET /health/live answers as long as the process serves HTTP; GET /health/ready also checks
 * every dependency the service uses (database, Kafka, Redis), each with its own short deadline,
 * and answers 503 naming the failing one — so an orchestrator routes traffic only to ready
 * instances, and learns about an outage in well under a second.
 */
export function healthRoutes(service: string, checks: Record<string, ReadinessCheck>, options: HealthOptions = {}): Record<string, Route> {
  const timeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const abandonAfterMs = options.abandonProbeAfterMs ?? ABANDON_PROBE_AFTER_MS;
  const probes = Object.entries(checks).map(([name, check]) => [name, singleFlight(check, abandonAfterMs)] as const);
  const live: Route = (_req, _body, res) => sendJson(res, 200, { status: 'ok', service });
  return {
    'GET /health': live,
    'GET /health/live': live,
    'GET /health/ready': async (_req, _body, res) => {
      if (options.stopping?.()) {
        sendJson(res, 503, { status: 'stopping', service });
        return;
      }
      const results = await Promise.all(
        probes.map(async ([name, probe]) => {
          const { result, since } = probe();
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              result,
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`no answer for ${Date.now() - since} ms`)), timeoutMs);
              }),
            ]);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `failing: ${error instanceof Error ? error.message : String(error)}`] as const;
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      const failing = results.filter(([, state]) => state !== 'ok').map(([name]) => name);
      sendJson(res, failing.length ? 503 : 200, {
        status: failing.length ? 'not ready' : 'ready',
        service,
        ...(failing.length ? { failing } : {}),
        checks: Object.fromEntries(results),
      });
    },
  };
}

/**
 * A Redis probe that never queues: ioredis holds commands sent while disconnected in its offline
 * queue until a reconnect, so a PING during an outage would wait instead of failing. Anything
 * but `ready` is reported at once with the client's state (`reconnecting`, `connecting`, ...).
 */
export function redisCheck(client: { status: string; ping(): Promise<unknown> }): ReadinessCheck {
  return async () => {
    if (client.status !== 'ready') throw new Error(`redis ${client.status}`);
    await client.ping();
  };
}
