// First: OpenTelemetry patches http, graphql, pg, kafkajs and ioredis as they are loaded (off unless OTEL_* asks).
import { startTelemetry } from '@eventix/telemetry';
startTelemetry('catalog');
import 'reflect-metadata';
import { runStandalone } from '@eventix/subgraph-kit';
import { loadCatalogConfig } from './env';
import { createCatalogSubgraph } from './server';

/** Runs the catalog subgraph on its own (the launcher runs all services in one process instead). */
runStandalone('catalog', () => loadCatalogConfig(), createCatalogSubgraph);
