import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, repoRoot } from '@eventix/local-infra';
import { serviceEntry, ServiceProcess } from '@eventix/testing';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential, type Caller } from '@eventix/subgraph-kit';
import { BENCH_SUBGRAPHS, startBenchInfra, type BenchSubgraph } from './infra';

export type { BenchSubgraph };
export type BenchService = BenchSubgraph | 'gateway';

export interface BenchPlatformOptions {
  /** Added to (and overriding) the gateway's environment, e.g. `{ GATEWAY_WORKERS: '2' }`. */
  gatewayEnv?: Record<string, string>;
  serviceEnv?: Partial<Record<BenchSubgraph, Record<string, string>>>;
  /** Default true. Without Kafka nothing travels between subgraphs (no projection: no seeded events). */
  kafka?: boolean;
}

export interface BenchPlatform {
  gatewayUrl: string;
  subgraphUrls: Record<BenchSubgraph, string>;
  /** A token of the gateway's dev issuer for `sub` (permissions such as `catalog:write`). */
  token(sub: string, permissions?: string[]): Promise<string>;
  /** The `iss` of the dev issuer's tokens (for another gateway that verifies them). */
  tokenIssuer: string;
  /** The internal credential header to call `subgraph` directly as the gateway would for `caller` (anonymous by default). */
  internalHeaders(subgraph: BenchSubgraph, caller?: Caller): Promise<Record<string, string>>;
  databaseUrls: Record<BenchSubgraph, string>;
  redisUrl: string;
  kafkaBrokers: string[];
  internalSecret: string;
  services: Record<BenchService, ServiceProcess>;
  /** The gateway's environment (subgraph URLs, secret, dev issuer key…) plus `overrides`: to start another gateway in front of the same subgraphs. */
  gatewayProcessEnv(overrides?: Record<string, string>): Record<string, string>;
  /** Stops the gateway and starts it again on the same port with its environment plus `env`. */
  restartGateway(env?: Record<string, string>): Promise<void>;
  /**
   * Starts another process (a second gateway, a peer gateway) on a free port, stopped with the
   * platform: `env` is made for that port (e.g. `(port) => platform.gatewayProcessEnv({ GATEWAY_PORT: String(port) })`);
   * `readyPath` must answer 200 once it serves.
   */
  startProcess(name: string, script: string, env: (port: number) => Record<string, string>, readyPath?: string): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Rate limits far above any bench's load: a bench that wants them sets its own in gatewayEnv. */
const UNTHROTTLED = { RATE_LIMIT_PER_MINUTE: '1000000000', RATE_LIMIT_BOOKING_PER_MINUTE: '1000000000' };

/**
 * catalog, booking, payment and the gateway as separate node processes from their builds (run
 * `npm run build` first; `npm run bench` does), on fresh databases, real Redis and Kafka —
 * the shape `npm start` runs, every port picked free. Logs go to `.cache/bench/logs/<run>/`.
 */
export async function startBenchPlatform(opts: BenchPlatformOptions = {}): Promise<BenchPlatform> {
  const runId = `${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const logDir = path.join(repoRoot(), '.cache/bench/logs', runId);
  fs.mkdirSync(logDir, { recursive: true });
  const infra = await startBenchInfra(runId, opts.kafka ?? true, log);
  const internalSecret = crypto.randomBytes(32).toString('hex');
  const ports = { catalog: await freePort(), booking: await freePort(), payment: await freePort(), gateway: await freePort() };
  const subgraphUrls = Object.fromEntries(BENCH_SUBGRAPHS.map((s) => [s, `http://127.0.0.1:${ports[s]}/graphql`])) as Record<BenchSubgraph, string>;
  const common: Record<string, string> = {
    // Development mode keeps the dev issuer (production demands Auth0); logs are JSON either way.
    NODE_ENV: 'development',
    INTERNAL_JWT_SECRET: internalSecret,
    REDIS_URL: infra.redisUrl,
    // Topics of this run alone (shared by its services), in case KAFKA_BROKERS is a broker others use too.
    ...(infra.kafkaBrokers.length ? { KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: `bench-${runId}.` } : {}),
  };
  const subgraphEnv = subgraphEnvironments(common, ports, subgraphUrls, infra.databaseUrls, runId);
  const gatewayBase: Record<string, string> = {
    ...common,
    CATALOG_URL: subgraphUrls.catalog,
    BOOKING_URL: subgraphUrls.booking,
    PAYMENT_URL: subgraphUrls.payment,
    // Tokens minted before restartGateway stay valid after it.
    DEV_ISSUER_KEY_FILE: path.join(logDir, 'dev-issuer-key.json'),
    ...UNTHROTTLED,
  };
  // BENCH_CPU_PROF_DIR=<dir>: every service writes a V8 CPU profile there when it stops.
  // BENCH_NODE_OPTIONS=<flags>: Node flags for every service (e.g. --trace-gc to see the pauses).
  const nodeOptions = [process.env.BENCH_CPU_PROF_DIR ? `--require ${path.join(__dirname, '..', 'cpu-profile-preload.js')}` : '', process.env.BENCH_NODE_OPTIONS ?? ''].filter(Boolean).join(' ');
  const profiled: Record<string, string> = {
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    ...(process.env.BENCH_CPU_PROF_DIR ? { CPU_PROFILE_DIR: process.env.BENCH_CPU_PROF_DIR } : {}),
  };
  let gatewayEnv = { ...gatewayBase, ...profiled, GATEWAY_PORT: String(ports.gateway), ...opts.gatewayEnv };
  const gateway = () => new ServiceProcess('gateway', serviceEntry('gateway').absolute, ports.gateway, gatewayEnv, logDir);
  const services = {} as Record<BenchService, ServiceProcess>;
  for (const s of BENCH_SUBGRAPHS) services[s] = new ServiceProcess(s, serviceEntry(s).absolute, ports[s], { ...subgraphEnv[s], ...profiled, ...opts.serviceEnv?.[s] }, logDir);
  services.gateway = gateway();
  const extra: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.allSettled([...extra, ...Object.values(services)].map((p) => p.stop()));
    await infra.stop();
  };
  try {
    // One at a time: on two shared cores parallel start-ups mostly slow each other down.
    for (const name of [...BENCH_SUBGRAPHS, 'gateway'] as const) await services[name].start();
  } catch (error) {
    await stop();
    throw new Error(`bench platform did not start (logs in ${logDir}): ${(error as Error).message}`);
  }
  log(`platform up (logs in ${logDir})`);
  const baseUrl = `http://127.0.0.1:${ports.gateway}`;
  const tokenIssuer = issuerOf(await devToken(baseUrl, 'bench-probe', []));
  return {
    tokenIssuer,
    gatewayUrl: `${baseUrl}/graphql`,
    subgraphUrls,
    token: (sub, permissions = []) => devToken(baseUrl, sub, permissions),
    internalHeaders: async (subgraph, caller = { permissions: [] }) => ({
      'content-type': 'application/json',
      [INTERNAL_CREDENTIAL_HEADER]: await signInternalCredential(internalSecret, caller, subgraph),
    }),
    databaseUrls: infra.databaseUrls,
    redisUrl: infra.redisUrl,
    kafkaBrokers: infra.kafkaBrokers,
    internalSecret,
    services,
    gatewayProcessEnv: (overrides = {}) => ({ ...gatewayBase, ...overrides }),
    async restartGateway(env = {}) {
      await services.gateway.stop();
      gatewayEnv = { ...gatewayEnv, ...env };
      services.gateway = gateway();
      await services.gateway.start();
    },
    async startProcess(name, script, env, readyPath = '/health/ready') {
      const port = await freePort();
      const proc = new ServiceProcess(name, script, port, env(port), logDir, readyPath);
      extra.push(proc);
      await proc.start();
      return proc;
    },
    stop,
  };
}

function subgraphEnvironments(
  common: Record<string, string>,
  ports: Record<BenchService, number>,
  urls: Record<BenchSubgraph, string>,
  databaseUrls: Record<BenchSubgraph, string>,
  runId: string,
): Record<BenchSubgraph, Record<string, string>> {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  // Consumer groups of this run alone, in case KAFKA_BROKERS is a broker others use too.
  const groups = { CONSUMER_GROUP_PREFIX: `bench-${runId}.` };
  return {
    catalog: { ...common, CATALOG_PORT: String(ports.catalog), CATALOG_DATABASE_URL: databaseUrls.catalog },
    booking: {
      ...common,
      ...groups,
      BOOKING_PORT: String(ports.booking),
      BOOKING_DATABASE_URL: databaseUrls.booking,
      TICKET_SIGNING_KEY: JSON.stringify(privateKey.export({ format: 'jwk' })),
    },
    payment: {
      ...common,
      ...groups,
      PAYMENT_PORT: String(ports.payment),
      PAYMENT_DATABASE_URL: databaseUrls.payment,
      // Payment takes the booking's hold over HTTP before charging.
      BOOKING_URL: urls.booking,
    },
  };
}

function issuerOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { iss?: string };
  if (!payload.iss) throw new Error('the dev issuer token has no iss');
  return payload.iss;
}

async function devToken(baseUrl: string, sub: string, permissions: string[]): Promise<string> {
  const res = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, permissions }) });
  if (res.status !== 200) throw new Error(`POST /dev/token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
