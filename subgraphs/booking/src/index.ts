import 'reflect-metadata';
import { ConfigError } from '@eventix/config';
import { createTransport } from '@eventix/events';
import { loadBookingConfig } from './env';
import { createBookingSubgraph } from './server';

/** Runs the booking subgraph on its own (the launcher runs all services in one process instead). */
async function main(): Promise<void> {
  const config = loadBookingConfig();
  const log = (message: string) => console.error(`[booking] ${message}`);
  const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, clientId: 'booking', log });
  const booking = await createBookingSubgraph({ config, transport, log });
  await booking.consume();
  const running = await booking.start();
  log(`listening on ${running.url}`);
  const shutdown = async () => {
    await booking.stop();
    await transport.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `[booking] failed to start: ${error.stack}`);
  process.exit(1);
});
