import cluster, { type Worker } from 'node:cluster';
import { ConfigError } from '@eventix/config';
import { exitOnTerminationSignals, stopInOrder } from '@eventix/subgraph-kit';
import { DevIssuer } from './auth/dev-issuer';
import type { GatewayConfig } from './env';

export interface ClusterPrimaryOptions {
  config: GatewayConfig;
  log: (message: string) => void;
  timeoutMs: number;
}

/**
 * The primary of GATEWAY_WORKERS > 1: forks that many workers sharing the port (node:cluster),
 * so both cores serve; rate limits and APQ are shared through Redis (REDIS_URL), and a dead
 * worker is replaced. Nothing else is shared, so workers do not serialize on each other: the
 * primary only hands over new connections (clients keep theirs alive), each worker logs to the
 * inherited stdout itself, and each has its own subgraph connections, credential and token
 * caches, in-flight sharing and admission limits (GATEWAY_MAX_IN_FLIGHT is per worker). Rate
 * limit hits are one auto-pipelined Redis command per request, not a round trip each (#16).
 */
export async function runClusterPrimary({ config, log, timeoutMs }: ClusterPrimaryOptions): Promise<void> {
  if (config.auth.kind === 'dev' && !config.auth.keyFile) {
    throw new ConfigError('gateway', [{ variable: 'DEV_ISSUER_KEY_FILE', message: 'is required with GATEWAY_WORKERS > 1 so all workers sign with one key' }]);
  }
  // Create the dev key once, before the workers race to create it.
  if (config.auth.kind === 'dev') await DevIssuer.create('', config.auth.keyFile);
  const listening = new WeakSet<Worker>();
  cluster.on('listening', (worker) => listening.add(worker));
  for (let i = 0; i < config.workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    log(`worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  exitOnTerminationSignals({
    timeoutMs,
    log,
    stop: () => {
      stopping = true;
      return stopInOrder('gateway', [['workers', () => stopWorkers(listening)]]);
    },
  });
  log(`primary running ${config.workers} workers on port ${config.http.port}`);
}

/**
 * Each worker drains and stops on its own SIGTERM; this resolves once all of them exited 0, so
 * an orchestrator sees a failed worker stop as a failed stop. A worker not listening yet is told
 * once it listens: a process just forked has not set up its signal handling, and node's default
 * action would kill it mid-start (the primary then exited 1 within milliseconds of its SIGTERM).
 */
async function stopWorkers(listening: WeakSet<Worker>): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  const ends = await Promise.all(
    workers.map((worker) => {
      if (worker.isDead()) return Promise.resolve(worker.process.exitCode ?? worker.process.signalCode);
      const exited = new Promise<number | string | null>((resolve) => worker.process.once('exit', (code, signal) => resolve(code ?? signal)));
      if (listening.has(worker)) worker.process.kill('SIGTERM');
      else worker.once('listening', () => worker.process.kill('SIGTERM'));
      return exited;
    }),
  );
  const failed = ends.filter((end) => end !== 0);
  if (failed.length) throw new Error(`${failed.length} worker(s) exited with ${failed.join(', ')}`);
}
