import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxRelay, type EventTransport } from '@eventix/events';
import { initOrm, startSubgraphServer, type RunningSubgraph } from '@eventix/subgraph-kit';
import { paymentMigrations } from '../migrations/Migration20261125000000_payment_initial';
import { createLoaders, type PaymentContext } from './context';
import type { PaymentConfig } from './env';
import { Payment } from './payment/payment.entity';
import { buildPaymentSchema } from './schema';

export const paymentEntities = [Payment];

export interface PaymentDeps {
  config: PaymentConfig;
  transport: EventTransport;
  log: (message: string) => void;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

export interface PaymentSubgraph {
  orm: MikroORM;
  relay: OutboxRelay;
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

export async function createPaymentSubgraph({ config, transport, log, onQuery }: PaymentDeps): Promise<PaymentSubgraph> {
  const orm = await initOrm({ name: 'payment', clientUrl: config.database.url, entities: paymentEntities, migrations: paymentMigrations, debug: config.database.debug, onQuery });
  const relay = new OutboxRelay({ orm, transport, log });
  let running: RunningSubgraph | undefined;
  return {
    orm,
    relay,
    async start() {
      const schema = await buildPaymentSchema();
      running = await startSubgraphServer<PaymentContext>(
        {
          name: 'payment',
          schema,
          internalSecret: config.internalSecret,
          production: config.production,
          log,
          createContext: (caller) => {
            const em = orm.em.fork();
            return { caller, em, loaders: createLoaders(em) };
          },
        },
        config.http,
      );
      relay.start();
      return running;
    },
    async stop() {
      await running?.stop();
      await relay.stop();
      await orm.close();
    },
  };
}
