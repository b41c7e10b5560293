import { freePort, startRestartableRedis, type RestartableRedis } from '@eventix/local-infra';
import { createTestDatabase, testKafkaBrokers, uniqueSuffix, waitFor, type TestDatabase } from '@eventix/testing';
import { startServiceProcess, type ServiceProcess } from './service-process';

const SECRET = 'health-test-internal-secret-0123456789abcdef';
/** What an orchestrator's readiness probe typically waits; the answer must come well within it. */
const ANSWER_WITHIN_MS = 1_000;

interface Readiness {
  status: number;
  ms: number;
  body: { status: string; failing?: string[]; checks: Record<string, string> };
}

async function ready(service: ServiceProcess): Promise<Readiness> {
  const started = Date.now();
  const res = await fetch(`${service.baseUrl}/health/ready`);
  const body = (await res.json()) as Readiness['body'];
  return { status: res.status, ms: Date.now() - started, body };
}


/**
 * Issue #10 item 5: during a Redis or Kafka outage /health/ready must answer 503 naming the
 * failing part within a second — not hang for seconds on a PING queued by ioredis or a kafkajs
 * admin connect that keeps retrying — and 200 again once the part is back. Real services
 * (separate processes from their builds), a real redis-server stopped and restarted.
 */
describe('readiness during a Redis or Kafka outage (separate processes)', () => {
  let redis: RestartableRedis;
  let db: TestDatabase;
  let catalogDb: TestDatabase;
  let booking: ServiceProcess;
  let gateway: ServiceProcess;
  let catalogWithoutKafka: ServiceProcess;

  beforeAll(async () => {
    redis = await startRestartableRedis();
    [db, catalogDb] = await Promise.all([createTestDatabase('health_booking'), createTestDatabase('health_catalog')]);
    const shared = { INTERNAL_JWT_SECRET: SECRET };
    const prefix = `h${uniqueSuffix()}.`;
    booking = await startServiceProcess('booking', {
      ...shared,
      BOOKING_DATABASE_URL: db.url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      CONSUMER_GROUP_PREFIX: prefix,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: redis.url,
    });
    gateway = await startServiceProcess('gateway', { ...shared, REDIS_URL: redis.url });
    // A broker address where nothing listens: Kafka is down for this catalog from the start.
    catalogWithoutKafka = await startServiceProcess('catalog', { ...shared, CATALOG_DATABASE_URL: catalogDb.url, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
  }, 240_000);

  afterAll(async () => {
    for (const service of [booking, gateway, catalogWithoutKafka]) if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await redis?.dispose();
    await Promise.all([db?.drop(), catalogDb?.drop()]);
  });

  /** Every answer during the outage comes within the bound, is 503, and names `part`. */
  async function expectPromptFailure(service: ServiceProcess, part: string, label: string): Promise<void> {
    const answers: Readiness[] = [];
    for (let i = 0; i < 4; i++) answers.push(await ready(service));
    console.log(`[health] ${service.name}, ${label}: ${answers.map((a) => `${a.status} in ${a.ms} ms`).join(', ')}; ${JSON.stringify(answers[0].body.checks)}`);
    for (const answer of answers) {
      expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(answer.status).toBe(503);
      expect(answer.body.failing).toContain(part);
      expect(answer.body.checks[part]).toMatch(/^failing: /);
    }
  }

  async function expectRecovery(service: ServiceProcess, since: number, label: string): Promise<void> {
    const answer = await waitFor(async () => {
      const r = await ready(service);
      return r.status === 200 ? r : undefined;
    }, 15_000, `${service.name} ready again`);
    console.log(`[health] ${service.name}, ${label}: 200 again ${Date.now() - since} ms later (answered in ${answer.ms} ms)`);
    expect(answer.body.status).toBe('ready');
  }

  it('answers 200 while every part answers', async () => {
    for (const service of [booking, gateway]) {
      const answer = await waitFor(async () => {
        const r = await ready(service);
        return r.status === 200 ? r : undefined;
      }, 15_000, `${service.name} ready`);
      expect(answer.body.checks.redis).toBe('ok');
    }
  });

  it('a frozen Redis (connection open, no answers): 503 naming redis within 1 s, 200 after it resumes', async () => {
    redis.pause();
    try {
      await expectPromptFailure(booking, 'redis', 'redis frozen');
      await expectPromptFailure(gateway, 'redis', 'redis frozen');
    } finally {
      redis.resume();
    }
    const thawed = Date.now();
    await expectRecovery(booking, thawed, 'redis resumed');
    await expectRecovery(gateway, thawed, 'redis resumed');
  });

  it('a stopped Redis: 503 naming redis within 1 s, 200 after it restarts', async () => {
    await redis.stop();
    await expectPromptFailure(booking, 'redis', 'redis stopped');
    await expectPromptFailure(gateway, 'redis', 'redis stopped');
    await redis.start();
    const restarted = Date.now();
    await expectRecovery(booking, restarted, 'redis restarted');
    await expectRecovery(gateway, restarted, 'redis restarted');
  });

  it('Kafka unreachable: 503 naming the event transport within 1 s, on every probe', async () => {
    await expectPromptFailure(catalogWithoutKafka, 'events', 'kafka unreachable');
    // The database is fine, and the answer says so: only the failing part is named.
    expect((await ready(catalogWithoutKafka)).body.checks.database).toBe('ok');
  });

  it('every subgraph serves Prometheus metrics on GET /metrics', async () => {
    const res = await fetch(`${booking.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
