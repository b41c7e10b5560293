import { ConfigError } from '@eventix/config';
import { loadGatewayConfig } from './env';
import { startGateway } from './server';

/** Runs the gateway on its own, in front of subgraphs started elsewhere. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const log = (message: string) => console.error(`[gateway] ${message}`);
  const gateway = await startGateway({ config, log });
  log(`listening on ${gateway.url}`);
  const shutdown = async () => {
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `[gateway] failed to start: ${error.stack}`);
  process.exit(1);
});
