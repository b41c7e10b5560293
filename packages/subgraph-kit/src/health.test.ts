import http from 'node:http';
import { healthRoutes, type HealthOptions, type ReadinessCheck } from './health';
import { listen } from './graphql-http';

/** healthRoutes behind a real HTTP server, as services mount them. */
async function serve(checks: Record<string, ReadinessCheck>, options?: HealthOptions) {
  const routes = healthRoutes('test', checks, options);
  const server = http.createServer((req, res) => void routes[`GET ${req.url}`](req, Buffer.alloc(0), res));
  const port = await listen(server, 0, '127.0.0.1');
  const ready = async () => {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return { status: res.status, ms: Date.now() - started, body: (await res.json()) as { status: string; failing?: string[]; checks: Record<string, string> } };
  };
  return { ready, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('readiness probes', () => {
  it('answer a part that never answers within its deadline, without starting a probe per request', async () => {
    let started = 0;
    const never: ReadinessCheck = () => {
      started += 1;
      return new Promise(() => undefined);
    };
    const server = await serve({ database: async () => undefined, kafka: never }, { probeTimeoutMs: 200 });
    try {
      const answers = [await server.ready(), await server.ready(), await server.ready()];
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.ms).toBeLessThan(1_000);
        expect(answer.body.failing).toEqual(['kafka']);
        expect(answer.body.checks).toEqual({ database: 'ok', kafka: expect.stringMatching(/^failing: no answer for \d+ ms$/) });
      }
      // One probe in flight for the part, however many readiness requests came.
      expect(started).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('abandon a probe that never settles after a while, so it cannot keep the service unready forever', async () => {
    let started = 0;
    let healthy = false;
    const server = await serve(
      {
        redis: () => {
          started += 1;
          return healthy ? Promise.resolve() : new Promise(() => undefined);
        },
      },
      { probeTimeoutMs: 50, abandonProbeAfterMs: 300 },
    );
    try {
      expect((await server.ready()).status).toBe(503);
      healthy = true;
      expect((await server.ready()).status).toBe(503); // still waiting on the first probe
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await server.ready()).status).toBe(200);
      expect(started).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('report a recovered part at once: a settled probe is not reused', async () => {
    let failing = true;
    const server = await serve({ redis: async () => (failing ? Promise.reject(new Error('redis reconnecting')) : undefined) });
    try {
      const down = await server.ready();
      expect(down).toMatchObject({ status: 503, body: { failing: ['redis'], checks: { redis: 'failing: redis reconnecting' } } });
      failing = false;
      expect(await server.ready()).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
    } finally {
      await server.close();
    }
  });

  it('answer 503 while the service is stopping, so no new traffic is routed to it', async () => {
    let stopping = false;
    const server = await serve({ database: async () => undefined }, { stopping: () => stopping });
    try {
      expect((await server.ready()).status).toBe(200);
      stopping = true;
      expect(await server.ready()).toMatchObject({ status: 503, body: { status: 'stopping' } });
    } finally {
      await server.close();
    }
  });
});
