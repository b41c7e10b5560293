import 'reflect-metadata';
import { runStandalone } from '@eventix/subgraph-kit';
import { loadCatalogConfig } from './env';
import { createCatalogSubgraph } from './server';

/** Runs the catalog subgraph on its own (the launcher runs all services in one process instead). */
runStandalone('catalog', () => loadCatalogConfig(), createCatalogSubgraph);
