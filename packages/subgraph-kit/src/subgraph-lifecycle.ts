import type { BaseContext } from '@apollo/server';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import type { EventTransport, OutboxRelay, SubscribeOptions, Unsubscribe } from '@eventix/events';
import type { Route } from './graphql-http';
import type { Caller } from './internal-credential';
import type { Logger } from './logger';
import { stopInOrder, type StopStep } from './shutdown';
import { startSubgraphServer, type RunningSubgraph } from './subgraph-server';

/** What every subgraph's configuration says about serving it. */
export interface SubgraphServing {
  internalSecret: string;
  production: boolean;
  http: { port: number; host: string };
}

/** Work a subgraph runs in the background beside its requests (expiry, settlement). */
export interface BackgroundWorker {
  start(): void;
  /** Resolves once the run in progress, if any, has finished. */
  stop(): Promise<void>;
}

export interface SubgraphLifecycleOptions<Context extends BaseContext> {
  /** Subgraph name: the credential audience, the readiness report's and the stop log's name. */
  name: string;
  serving: SubgraphServing;
  orm: MikroORM;
  transport: EventTransport;
  relay: OutboxRelay;
  log: (message: string) => void;
  logger?: Logger;
  /** Built at `start()`: schema building is the slow part, the factory stays cheap. */
  schema: () => Promise<GraphQLSchema>;
  /** Serve the schema's subscriptions over graphql-ws too. */
  subscriptions?: boolean;
  /** A request's context from its caller and a fresh EntityManager of its own. */
  createContext: (caller: Caller, em: EntityManager) => Context;
  /** HTTP routes beside /graphql and the health and metrics routes. */
  routes?: Record<string, Route>;
  /** Readiness beyond the database and the event transport, which every subgraph reports. */
  readinessChecks?: Record<string, () => Promise<unknown>>;
  /** Message consumers, subscribed one after another by `consume()`. */
  consumers?: readonly SubscribeOptions[];
  /** Started with the relay once the port is open; stopped after the consumers (which may wake them). */
  workers?: Record<string, BackgroundWorker>;
  /** Stopped before anything else (e.g. what would still call into the HTTP server). */
  stopFirst?: readonly StopStep[];
  /** Stopped after the relay, before the database. */
  stopLast?: readonly StopStep[];
  /** Called with the running server, before the relay and workers start. */
  onListening?: (running: RunningSubgraph) => void;
}

export interface SubgraphLifecycle {
  /** Subscribes the consumers; in embedded mode call it before any producer's relay runs. */
  consume(): Promise<void>;
  /** Opens the port (0 picks a free one), then starts the outbox relay and the workers. */
  start(): Promise<RunningSubgraph>;
  /** Stops everything in dependency order; see {@link subgraphLifecycle}. */
  stop(): Promise<void>;
}

/**
 * The shape every subgraph shares around its own services: serve the schema with the internal
 * credential, report the database and the event transport as readiness, publish the outbox,
 * consume messages, run background workers — and stop in the one order that loses nothing:
 * `stopFirst`; HTTP (stop taking requests, answer those in flight); the consumers (they leave
 * their groups after the message in hand, so partitions move at once); the workers; the outbox
 * relay, which all of them nudge; `stopLast`; and the database, which every part used.
 */
export function subgraphLifecycle<Context extends BaseContext>(options: SubgraphLifecycleOptions<Context>): SubgraphLifecycle {
  const { name, orm, transport, relay } = options;
  const workers = Object.entries(options.workers ?? {});
  const unsubscribes: Unsubscribe[] = [];
  let running: RunningSubgraph | undefined;
  return {
    async consume() {
      for (const consumer of options.consumers ?? []) unsubscribes.push(await transport.subscribe(consumer));
    },
    async start() {
      running = await startSubgraphServer<Context>(
        {
          name,
          schema: await options.schema(),
          subscriptions: options.subscriptions,
          internalSecret: options.serving.internalSecret,
          production: options.serving.production,
          log: options.log,
          logger: options.logger,
          readinessChecks: { database: () => orm.em.fork().execute('select 1'), events: () => transport.ping(), ...options.readinessChecks },
          routes: options.routes,
          createContext: (caller) => options.createContext(caller, orm.em.fork()),
        },
        options.serving.http,
      );
      options.onListening?.(running);
      relay.start();
      for (const [, worker] of workers) worker.start();
      return running;
    },
    async stop() {
      await stopInOrder(name, [
        ...(options.stopFirst ?? []),
        ['http', () => running?.stop()],
        ['consumers', options.consumers ? () => Promise.all(unsubscribes.splice(0).map((u) => u())) : undefined],
        ...workers.map(([part, worker]): StopStep => [part, () => worker.stop()]),
        ['outbox relay', () => relay.stop()],
        ...(options.stopLast ?? []),
        ['database', () => orm.close()],
      ]);
    },
  };
}
