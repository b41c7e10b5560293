import 'reflect-metadata';
import { ConfigError } from '@eventix/config';
import { createTransport } from '@eventix/events';
import { loadPaymentConfig } from './env';
import { createPaymentSubgraph } from './server';

/** Runs the payment subgraph on its own (the launcher runs all services in one process instead). */
async function main(): Promise<void> {
  const config = loadPaymentConfig();
  const log = (message: string) => console.error(`[payment] ${message}`);
  const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, clientId: 'payment', log });
  const payment = await createPaymentSubgraph({ config, transport, log });
  await payment.consume();
  const running = await payment.start();
  log(`listening on ${running.url}`);
  const shutdown = async () => {
    await payment.stop();
    await transport.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `[payment] failed to start: ${error.stack}`);
  process.exit(1);
});
