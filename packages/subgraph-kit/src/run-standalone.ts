import { ConfigError } from '@eventix/config';
import { createTransport, type EventTransport } from '@eventix/events';
import type { RunningSubgraph } from './subgraph-server';
import { createLogger, logLines, type Logger } from './logger';

interface Service {
  /** Subscribes the service's consumers (before it starts serving). */
  consume?(): Promise<void>;
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

/**
 * The `index.ts` of a subgraph run on its own (docker-compose, several instances): validated
 * config, a transport, consumers, the server, and a clean stop on SIGINT/SIGTERM. The launcher
 * wires the same factories in one process for the embedded mode.
 */
export function runStandalone<Config extends { kafkaBrokers?: string[] }>(
  name: string,
  loadConfig: () => Config,
  create: (deps: { config: Config; transport: EventTransport; log: (message: string) => void; logger: Logger }) => Promise<Service>,
): void {
  const logger = createLogger(name);
  const log = logLines(logger);
  const main = async () => {
    const config = loadConfig();
    const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, clientId: name, log });
    const service = await create({ config, transport, log, logger });
    await service.consume?.();
    const running = await service.start();
    log(`listening on ${running.url}`);
    const shutdown = async () => {
      await service.stop();
      await transport.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  };
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `[${name}] failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
