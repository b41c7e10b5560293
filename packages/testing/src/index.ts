export { TEST_ENV, createTestDatabase, testKafkaBrokers, testPostgresServerUrl, testRedisUrl, uniqueSuffix, type TestDatabase } from './test-env';
export { waitFor } from './wait-for';
export { graphqlClient, errorCodes, type GraphQLResponse, type GraphQLRequest, type QueryFn } from './graphql-client';
export * as operations from './generated/operations';
export { SERVICE_WORKSPACES, serviceEntry, type ServiceWorkspace } from './service-entry';
export { otlpExportEnv, spanAttribute, startOtlpCollector, type CollectedSpan } from './otlp-collector';
export { ServiceProcess, type Exit } from './service-process';
export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium } from './chromium';
