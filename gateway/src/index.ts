import cluster from 'node:cluster';
import { ConfigError } from '@eventix/config';
import { createLogger, logLines } from '@eventix/subgraph-kit';
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
    const shutdown = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    log(`primary running ${config.workers} workers on port ${config.http.port}`);
    return;
  }
  const gateway = await startGateway({ config, log, logger });
  log(`listening on ${gateway.url}`);
  const shutdown = async () => {
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `[gateway] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
