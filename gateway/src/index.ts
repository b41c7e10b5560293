import cluster from 'node:cluster';
import { ConfigError } from '@eventix/config';
import { createLogger, exitOnTerminationSignals, loadShutdownTimeout, logLines, stopInOrder } from '@eventix/subgraph-kit';
import { loadGatewayConfig } from './env';
import { DevIssuer } from './auth/dev-issuer';
import { startGateway } from './server';

const logger = createLogger('gateway');
const log = logLines(logger);

/**
 * Runs the gateway on its own, in front of subgraphs started elsewhere. With GATEWAY_WORKERS > 1
 * the primary forks that many workers sharing the port (node:cluster), so both cores serve;
 * rate limits and APQ are shared through Redis (REDIS_URL), and a dead worker is replaced.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const timeoutMs = loadShutdownTimeout('gateway');
  if (config.workers > 1 && cluster.isPrimary) {
    if (config.auth.kind === 'dev' && !config.auth.keyFile) {
      throw new ConfigError('gateway', [{ variable: 'DEV_ISSUER_KEY_FILE', message: 'is required with GATEWAY_WORKERS > 1 so all workers sign with one key' }]);
    }
    // Create the dev key once, before the workers race to create it.
    if (config.auth.kind === 'dev') await DevIssuer.create('', config.auth.keyFile);
    for (let i = 0; i < config.workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      log(`worker ${worker.process.pid} exited (${code}); starting another`);
      cluster.fork();
    });
    // Each worker drains and stops on its own SIGTERM; the primary exits 0 once all of them
    // exited 0, so an orchestrator sees a failed worker stop as a failed stop.
    exitOnTerminationSignals({
      timeoutMs,
      log,
      stop: () => {
        stopping = true;
        const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
        return stopInOrder('gateway', [
          [
            'workers',
            async () => {
              const codes = await Promise.all(
                workers.map((worker) => {
                  if (worker.isDead()) return Promise.resolve(worker.process.exitCode);
                  const exited = new Promise<number | null>((resolve) => worker.process.once('exit', (code) => resolve(code)));
                  worker.process.kill('SIGTERM');
                  return exited;
                }),
              );
              const failed = codes.filter((code) => code !== 0);
              if (failed.length) throw new Error(`${failed.length} worker(s) exited with ${failed.join(', ')}`);
            },
          ],
        ]);
      },
    });
    log(`primary running ${config.workers} workers on port ${config.http.port}`);
    return;
  }
  const gateway = await startGateway({ config, log, logger });
  log(`listening on ${gateway.url}`);
  exitOnTerminationSignals({ timeoutMs, log, stop: () => stopInOrder('gateway', [['http, subscriptions and redis', () => gateway.stop()]]) });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `[gateway] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
