import 'reflect-metadata';
import { ConfigError } from '@eventix/config';
import { createTransport } from '@eventix/events';
import { loadCatalogConfig } from './env';
import { createCatalogSubgraph } from './server';

/** Runs the catalog subgraph on its own (the launcher runs all services in one process instead). */
async function main(): Promise<void> {
  const config = loadCatalogConfig();
  const log = (message: string) => console.error(`[catalog] ${message}`);
  const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, clientId: 'catalog', log });
  const catalog = await createCatalogSubgraph({ config, transport, log });
  const running = await catalog.start();
  log(`listening on ${running.url}`);
  const shutdown = async () => {
    await catalog.stop();
    await transport.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `[catalog] failed to start: ${error.stack}`);
  process.exit(1);
});
