// The shared bench harness (issue #16): every bench/*.bench.ts builds on these.
export { startBenchPlatform, type BenchPlatform, type BenchPlatformOptions, type BenchService, type BenchSubgraph } from './platform';
export { startHiveGateway } from './peer-gateway';
export { seedOnSaleEvent, type SeedOptions, type SeededEvent } from './seed';
export { httpLoad, openLoad, type HttpLoadOptions, type HttpLoadResult, type OpenLoadOptions } from './http-load';
export { leanHttpLoad, type LeanHttpLoadOptions } from './lean-http-load';
export { describe, interleavedRuns, summarize, type InterleaveOptions, type LoadSpec, type LoadSummary } from './compare';
export { formatCores, parentPid, processTreeCpuMs, untilQuiet, withCpu } from './cpu';
export { benchDurationMs, benchRuns, envNumber, median, percentile, runs } from './stats';
export { report, type BenchResult, type ReportRow } from './report';
export { graphqlRequest } from './graphql';
