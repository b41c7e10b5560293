import { ConfigError } from '@eventix/config';
import { createTransport, type EventTransport } from '@eventix/events';
import type { RunningSubgraph } from './subgraph-server';
import { createLogger, logLines, type Logger } from './logger';
import { exitOnTerminationSignals, loadShutdownTimeout, stopInOrder } from './shutdown';

interface Service {
  /** Subscribes the service's consumers (before it starts serving). */
  consume?(): Promise<void>;
  start(): Promise<RunningSubgraph>;
  /** Stops serving (in-flight requests answered), consumers, relay and workers, then the ORM. */
  stop(): Promise<void>;
}

/**
 * The `index.ts` of a subgraph run on its own (docker-compose, several instances): validated
 * config, a transport, consumers, the server, and on SIGINT/SIGTERM one bounded stop ending in
 * exit 0 (or exit 1 naming what hung after SHUTDOWN_TIMEOUT_MS). The launcher wires the same
 * factories in one process for the embedded mode.
 */
export function runStandalone<Config extends { kafkaBrokers?: string[]; kafkaTopicPrefix?: string }>(
  name: string,
  loadConfig: () => Config,
  create: (deps: { config: Config; transport: EventTransport; log: (message: string) => void; logger: Logger }) => Promise<Service>,
): void {
  const main = async () => {
    const logger = createLogger(name);
    const log = logLines(logger);
    const config = loadConfig();
    const timeoutMs = loadShutdownTimeout(name);
    const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, topicPrefix: config.kafkaTopicPrefix, clientId: name, log });
    let service: Service | undefined;
    const starting = (async () => {
      service = await create({ config, transport, log, logger });
      await service.consume?.();
      const running = await service.start();
      log(`listening on ${running.url}`);
    })();
    // Installed before start-up so that a signal during it (migrations, consumers joining their
    // groups) is not the default kill that leaves stale group members behind: start-up finishes
    // within the deadline and what it started stops as usual.
    exitOnTerminationSignals({
      timeoutMs,
      log,
      // The service has left its consumer groups and stopped its relay by the time its stop
      // resolves; the transport (producer, admin) goes last because the relay published with it.
      stop: () =>
        stopInOrder(name, [
          ['start-up', () => starting.catch(() => undefined)],
          ['service', () => service?.stop()],
          ['event transport', () => transport.close()],
        ]),
    });
    await starting;
  };
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `[${name}] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
