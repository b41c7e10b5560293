import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { signInternalCredential } from '@eventix/subgraph-kit';
import { createTestDatabase, testKafkaBrokers, testRedisUrl, uniqueSuffix, waitFor, type TestDatabase } from '@eventix/testing';
import { launcherEnv, refusesConnections, startLauncher, startServiceProcess, startSlowPost, type ServiceProcess } from './service-process';

const SECRET = 'shutdown-test-internal-secret-0123456789abcdef';
/** Below the 15 s default so an overrun shows as exit 1 here rather than as a jest timeout. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Issue #10: on SIGTERM every service must stop accepting, answer the requests in flight, leave
 * its Kafka consumer groups, close everything and exit 0 within the deadline. Before the fix
 * Apollo Server's own SIGTERM handler re-sent the signal once HTTP had drained: the process died
 * with 143, its consumers stayed members of their groups (Stable, with stale members, until the
 * 10 s session timeout), and relay, workers and database were never closed.
 *
 * Each service runs from its build as its own process, as docker-compose runs it, against the
 * real PostgreSQL, Redis and Kafka of the test run.
 */
describe('SIGTERM stops every service cleanly (separate processes)', () => {
  const prefix = `sd${uniqueSuffix()}.`;
  const groups = {
    booking: ['booking.seat-fanout', 'booking.seat-projection', 'booking.payment-results'].map((g) => prefix + g),
    payment: ['payment.booking-events'].map((g) => prefix + g),
  };
  let dbs: TestDatabase[] = [];
  let admin: Admin;
  const services: Partial<Record<'gateway' | 'catalog' | 'booking' | 'payment', ServiceProcess>> = {};

  beforeAll(async () => {
    dbs = await Promise.all(['catalog', 'booking', 'payment'].map((name) => createTestDatabase(`shutdown_${name}`)));
    admin = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    // Groups and topics of these processes alone (they share them with each other, not with other tests).
    const shared = { INTERNAL_JWT_SECRET: SECRET, KAFKA_BROKERS: testKafkaBrokers().join(','), CONSUMER_GROUP_PREFIX: prefix, KAFKA_TOPIC_PREFIX: prefix, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
    // One at a time: on two shared cores, three migrating services at once only slow each other.
    services.catalog = await startServiceProcess('catalog', { ...shared, CATALOG_DATABASE_URL: dbs[0].url });
    services.booking = await startServiceProcess('booking', { ...shared, BOOKING_DATABASE_URL: dbs[1].url, REDIS_URL: testRedisUrl() });
    services.payment = await startServiceProcess('payment', { ...shared, PAYMENT_DATABASE_URL: dbs[2].url, BOOKING_URL: `${services.booking.baseUrl}/graphql` });
    services.gateway = await startServiceProcess('gateway', {
      ...shared,
      CATALOG_URL: `${services.catalog.baseUrl}/graphql`,
      BOOKING_URL: `${services.booking.baseUrl}/graphql`,
      PAYMENT_URL: `${services.payment.baseUrl}/graphql`,
    });
  }, 240_000);

  afterAll(async () => {
    for (const service of Object.values(services)) if (service && service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await admin?.disconnect();
    await Promise.all(dbs.map((db) => db.drop()));
  });

  const groupStates = async (ids: string[]) => {
    const { groups: described } = await admin.describeGroups(ids);
    return Object.fromEntries(described.map((g) => [g.groupId, `${g.state}/${g.members.length}`]));
  };

  /**
   * Starts a request, sends SIGTERM while it is in flight, then lets it finish; returns what the
   * client got, the exit and how long the stop took.
   */
  async function terminateDuringRequest(service: ServiceProcess, route: string, body: object, headers: Record<string, string> = {}, { secondSignal = false } = {}) {
    const request = await startSlowPost(`${service.baseUrl}${route}`, JSON.stringify(body), headers);
    const signalled = Date.now();
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // An impatient orchestrator (or person) signalling again must not restart or cut the stop.
    if (secondSignal) service.child.kill('SIGTERM');
    const refusedNew = await refusesConnections(service.port);
    request.finish();
    const response = await request.response;
    const exit = await service.exited;
    const stopMs = exit.at - signalled;
    const steps = /stopped in \d+ ms \(([^)]*)\)/.exec(service.output())?.[1] ?? 'no stop logged';
    console.log(`[shutdown] ${service.name}: exit ${exit.code ?? exit.signal} ${stopMs} ms after SIGTERM; in-flight request answered ${response.status}; steps: ${steps}`);
    return { response, exit, stopMs, refusedNew };
  }

  const credential = (audience: string, userId = 'shutdown-user') => signInternalCredential(SECRET, { userId, permissions: [] }, audience);

  it('gateway: answers the request in flight (through to catalog) and exits 0', async () => {
    const { response, exit, stopMs, refusedNew } = await terminateDuringRequest(services.gateway!, '/graphql', { query: '{ events(first: 1) { edges { node { id } } } }' });
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(refusedNew).toBe(true);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ data: { events: { edges: [] } } });
    expect(JSON.parse(response.body).errors).toBeUndefined();
  });

  it('catalog: answers the request in flight (a database query) and exits 0', async () => {
    const { response, exit, stopMs, refusedNew } = await terminateDuringRequest(
      services.catalog!,
      '/graphql',
      { query: '{ events(first: 1) { edges { node { id } } } }' },
      { 'x-eventix-internal': await credential('catalog') },
    );
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(refusedNew).toBe(true);
    expect(JSON.parse(response.body)).toMatchObject({ data: { events: { edges: [] } } });
    expect(JSON.parse(response.body).errors).toBeUndefined();
  });

  it('booking: answers the request in flight, its three consumers leave their groups, exits 0', async () => {
    // Joined before the stop, or "Empty" afterwards would prove nothing.
    expect(Object.values(await groupStates(groups.booking))).toEqual(['Stable/1', 'Stable/1', 'Stable/1']);
    const { response, exit, stopMs, refusedNew } = await terminateDuringRequest(
      services.booking!,
      '/graphql',
      { query: '{ booking(id: "00000000-0000-4000-8000-000000000000") { id } }' },
      { 'x-eventix-internal': await credential('booking') },
      { secondSignal: true },
    );
    const states = await groupStates(groups.booking);
    console.log(`[shutdown] booking groups right after exit: ${JSON.stringify(states)}`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(refusedNew).toBe(true);
    expect(JSON.parse(response.body)).toMatchObject({ data: { booking: null } });
    expect(JSON.parse(response.body).errors).toBeUndefined();
    expect(Object.values(states)).toEqual(['Empty/0', 'Empty/0', 'Empty/0']);
    expect(services.booking!.output()).toContain('SIGTERM again: already stopping');
  });

  it('payment: answers the request in flight, its consumer leaves its group, exits 0', async () => {
    expect(Object.values(await groupStates(groups.payment))).toEqual(['Stable/1']);
    const { response, exit, stopMs, refusedNew } = await terminateDuringRequest(
      services.payment!,
      '/graphql',
      { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Booking { payment { id } } } }', variables: { r: [{ __typename: 'Booking', id: '00000000-0000-4000-8000-000000000000' }] } },
      { 'x-eventix-internal': await credential('payment') },
    );
    const states = await groupStates(groups.payment);
    console.log(`[shutdown] payment groups right after exit: ${JSON.stringify(states)}`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(refusedNew).toBe(true);
    expect(JSON.parse(response.body)).toMatchObject({ data: { _entities: [{ payment: null }] } });
    expect(JSON.parse(response.body).errors).toBeUndefined();
    expect(Object.values(states)).toEqual(['Empty/0']);
    // The stop logged its end: the relay, the workers and the database were closed, not cut off.
    expect(services.payment!.output()).toMatch(/stopped in \d+ ms/);
  });
});

describe('SIGTERM during start-up', () => {
  let db: TestDatabase;
  let admin: Admin;
  afterAll(async () => {
    await admin?.disconnect();
    await db?.drop();
  });

  it('lets start-up finish, then stops as usual: exit 0, no consumer left in its group', async () => {
    db = await createTestDatabase('shutdown_startup');
    admin = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const prefix = `su${uniqueSuffix()}.`;
    // Booking logs the throw-away ticket key after migrating and before its consumers join
    // their groups (seconds): the signal lands in the middle of start-up.
    const booking = await startServiceProcess(
      'booking',
      {
        INTERNAL_JWT_SECRET: SECRET,
        BOOKING_DATABASE_URL: db.url,
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        CONSUMER_GROUP_PREFIX: prefix,
        KAFKA_TOPIC_PREFIX: prefix,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      { until: 'TICKET_SIGNING_KEY is not set' },
    );
    const signalled = Date.now();
    booking.child.kill('SIGTERM');
    const exit = await booking.exited;
    const { groups: after } = await admin.describeGroups(['booking.seat-fanout', 'booking.seat-projection', 'booking.payment-results'].map((g) => prefix + g));
    console.log(`[shutdown] booking signalled during start-up: exit ${exit.code ?? exit.signal} ${exit.at - signalled} ms later; listened before stopping: ${booking.output().includes('listening on')}; groups: ${after.map((g) => `${g.state}/${g.members.length}`).join(', ')}`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Empty once joined and left, Dead if the group never formed; never a member left behind.
    for (const group of after) expect(group.members).toEqual([]);
  });
});

describe('the gateway with GATEWAY_WORKERS=2 (node:cluster) on SIGTERM', () => {
  let keyDir: string;
  beforeAll(() => (keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-gateway-cluster-'))));
  afterAll(() => keyDir && fs.rmSync(keyDir, { recursive: true, force: true }));

  it('each worker runs its whole stop, and the primary exits 0 once they did', async () => {
    // Waits for the primary's line; the workers are up once the port answers.
    const gateway = await startServiceProcess(
      'gateway',
      { INTERNAL_JWT_SECRET: SECRET, GATEWAY_WORKERS: '2', DEV_ISSUER_KEY_FILE: path.join(keyDir, 'key.json'), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      { until: 'primary running' },
    );
    await waitFor(() => ((gateway.output().match(/listening on/g) ?? []).length === 2 ? true : undefined), 90_000, () => `two workers listening:\n${gateway.output()}`);
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    console.log(`[shutdown] gateway with 2 workers: exit ${exit.code ?? exit.signal} ${exit.at - signalled} ms after SIGTERM`);
    // The processes' output comes with a failure: it once exited 1 within 50 ms in CI, unexplained.
    expect({ code: exit.code, signal: exit.signal, output: exit.code === 0 ? '' : gateway.output() }).toEqual({ code: 0, signal: null, output: '' });
    // Two workers and the primary each logged the end of a complete stop.
    expect(gateway.output().match(/stopped in \d+ ms/g)).toHaveLength(3);
  });

  it('signalled while its workers are still starting: they finish starting, stop, and the primary exits 0', async () => {
    const gateway = await startServiceProcess(
      'gateway',
      { INTERNAL_JWT_SECRET: SECRET, GATEWAY_WORKERS: '2', DEV_ISSUER_KEY_FILE: path.join(keyDir, 'key.json'), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      { until: 'primary running' },
    );
    // The workers were just forked: neither is listening yet.
    expect(gateway.output()).not.toContain('listening on');
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    expect({ code: exit.code, signal: exit.signal, output: exit.code === 0 ? '' : gateway.output() }).toEqual({ code: 0, signal: null, output: '' });
    expect(gateway.output().match(/stopped in \d+ ms/g)).toHaveLength(3);
  });
});

describe('a stop that overruns SHUTDOWN_TIMEOUT_MS', () => {
  let db: TestDatabase;
  let catalog: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase('shutdown_deadline');
    catalog = await startServiceProcess('catalog', { INTERNAL_JWT_SECRET: SECRET, CATALOG_DATABASE_URL: db.url, SHUTDOWN_TIMEOUT_MS: '1000' });
  }, 120_000);

  afterAll(async () => {
    if (catalog?.child.exitCode === null) catalog.child.kill('SIGKILL');
    await db?.drop();
  });

  it('exits 1 at the deadline and names the step that hung', async () => {
    // A request whose body never completes: the HTTP drain waits for it (up to Apollo's 10 s
    // grace), far past the 1 s deadline.
    const request = await startSlowPost(`${catalog.baseUrl}/graphql`, JSON.stringify({ query: '{ __typename }' }));
    const signalled = Date.now();
    catalog.child.kill('SIGTERM');
    const exit = await catalog.exited;
    console.log(`[shutdown] catalog with a hung request: exit ${exit.code ?? exit.signal} ${exit.at - signalled} ms after SIGTERM`);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.at - signalled).toBeGreaterThanOrEqual(1_000);
    expect(exit.at - signalled).toBeLessThan(3_000);
    expect(catalog.output()).toMatch(/did not stop within 1000 ms; still stopping: .*catalog: http \(\d+ ms\)/);
    await request.response.catch(() => undefined);
  });
});

/** `npm start` with Kafka: every service in one process; SIGTERM must stop them all the same way. */
describe('the launcher (all services in one process) on SIGTERM', () => {
  const prefix = `sl${uniqueSuffix()}.`;
  const groupIds = ['booking.seat-fanout', 'booking.seat-projection', 'booking.payment-results', 'payment.booking-events'].map((g) => prefix + g);
  let dataDir: string;
  let child: ChildProcess;
  let output: () => string;
  let admin: Admin;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-launcher-stop-'));
    fs.chmodSync(dataDir, 0o755); // the embedded server runs as the `postgres` user
    admin = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const launcher = await startLauncher(
      {
        ...(await launcherEnv(dataDir)),
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        CONSUMER_GROUP_PREFIX: prefix,
        KAFKA_TOPIC_PREFIX: prefix,
        SEED_DEMO: 'false',
      },
      150_000,
    );
    child = launcher.child;
    output = launcher.output;
  }, 180_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await admin?.disconnect();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the request in flight, leaves every consumer group, stops the database and exits 0', async () => {
    const { groups: before } = await admin.describeGroups(groupIds);
    expect(before.map((g) => g.state)).toEqual(['Stable', 'Stable', 'Stable', 'Stable']);
    const gatewayUrl = /Gateway\s+: (http:\/\/\S+\/graphql)/.exec(output())![1];
    const request = await startSlowPost(gatewayUrl, JSON.stringify({ query: '{ events(first: 1) { edges { node { id } } } }' }));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    request.finish();
    const response = await request.response;
    const exit = await exited;
    const { groups: after } = await admin.describeGroups(groupIds);
    console.log(`[shutdown] launcher: exit ${exit.code ?? exit.signal} ${exit.at - signalled} ms after SIGTERM; groups after: ${after.map((g) => `${g.state}/${g.members.length}`).join(', ')}`);
    expect(JSON.parse(response.body)).toMatchObject({ data: { events: { edges: [] } } });
    expect(JSON.parse(response.body).errors).toBeUndefined();
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(after.map((g) => `${g.state}/${g.members.length}`)).toEqual(['Empty/0', 'Empty/0', 'Empty/0', 'Empty/0']);
    expect(output()).toMatch(/\[launcher\] stopped in \d+ ms/);
    expect(spawnSync('pgrep', ['-f', `${dataDir}/postgres`], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });
});
