// First: OpenTelemetry patches http, graphql, pg, kafkajs and ioredis as they are loaded (off unless OTEL_* asks).
import { startTelemetry } from '@eventix/telemetry';
const telemetry = startTelemetry('catalog');
import 'reflect-metadata';
import { flushBeforeExit, runStandalone } from '@eventix/subgraph-kit';
import { loadCatalogConfig } from './env';
import { createCatalogSubgraph } from './server';

// Spans still buffered when the service stops are exported before the process exits.
if (telemetry) flushBeforeExit(() => telemetry.shutdown());

/** Runs the catalog subgraph on its own (the launcher runs all services in one process instead). */
runStandalone('catalog', () => loadCatalogConfig(), createCatalogSubgraph);
