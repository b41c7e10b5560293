import { sendJson, type Route } from './graphql-http';

const CHECK_TIMEOUT_MS = 2_000;

/**
 * GET /health/live answers as long as the process serves HTTP; GET /health/ready also checks
 * every dependency the service uses (database, Kafka, Redis), each with a timeout, and answers
 * 503 naming the failing one — so an orchestrator routes traffic only to ready instances.
 */
export function healthRoutes(service: string, checks: Record<string, () => Promise<unknown>>): Record<string, Route> {
  const live: Route = (_req, _body, res) => sendJson(res, 200, { status: 'ok', service });
  return {
    'GET /health': live,
    'GET /health/live': live,
    'GET /health/ready': async (_req, _body, res) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)))]);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `failing: ${(error as Error).message}`] as const;
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      const ready = results.every(([, state]) => state === 'ok');
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', service, checks: Object.fromEntries(results) });
    },
  };
}
