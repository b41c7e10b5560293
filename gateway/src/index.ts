// First: OpenTelemetry patches http, graphql, pg, kafkajs and ioredis as they are loaded (off unless OTEL_* asks).
import { startTelemetry } from '@eventix/telemetry';
const telemetry = startTelemetry('gateway');
import cluster from 'node:cluster';
import { ConfigError } from '@eventix/config';
import { createLogger, exitOnTerminationSignals, flushBeforeExit, loadShutdownTimeout, logLines, stopInOrder } from '@eventix/subgraph-kit';
import { runClusterPrimary } from './cluster-primary';
import { loadGatewayConfig } from './env';
import { startGateway } from './gateway';

// Spans still buffered when the service stops are exported before the process exits.
if (telemetry) flushBeforeExit(() => telemetry.shutdown());

/**
 * Runs the gateway on its own, in front of subgraphs started elsewhere: in this process, or
 * with GATEWAY_WORKERS > 1 as the primary of that many worker processes (each runs this file).
 */
async function main(): Promise<void> {
  const logger = createLogger('gateway');
  const log = logLines(logger);
  const config = loadGatewayConfig();
  const timeoutMs = loadShutdownTimeout('gateway');
  if (config.workers > 1 && cluster.isPrimary) return runClusterPrimary({ config, log, timeoutMs });
  // Signals are handled from the start: a SIGTERM while starting (an orchestrator scaling down,
  // a cluster primary stopping workers it just forked) lets start-up finish, then stops as
  // usual — instead of the default action killing the process by signal.
  const started = startGateway({ config, log, logger });
  exitOnTerminationSignals({
    timeoutMs,
    log,
    stop: async () => {
      const gateway = await started;
      await stopInOrder('gateway', [['http, subscriptions and redis', () => gateway.stop()]]);
    },
  });
  const gateway = await started;
  log(`listening on ${gateway.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `[gateway] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
