import 'reflect-metadata';
import { runStandalone } from '@eventix/subgraph-kit';
import { loadPaymentConfig } from './env';
import { createPaymentSubgraph } from './server';

/** Runs the payment subgraph on its own (the launcher runs all services in one process instead). */
runStandalone('payment', () => loadPaymentConfig(), createPaymentSubgraph);
