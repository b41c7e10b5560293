// First: OpenTelemetry patches http, graphql, pg, kafkajs and ioredis as they are loaded (off unless OTEL_* asks).
import { startTelemetry } from '@eventix/telemetry';
const telemetry = startTelemetry('payment');
import 'reflect-metadata';
import { flushBeforeExit, runStandalone } from '@eventix/subgraph-kit';
import { loadPaymentConfig } from './env';
import { createPaymentSubgraph } from './server';

// Spans still buffered when the service stops are exported before the process exits.
if (telemetry) flushBeforeExit(() => telemetry.shutdown());

/** Runs the payment subgraph on its own (the launcher runs all services in one process instead). */
runStandalone('payment', () => loadPaymentConfig(), createPaymentSubgraph);
