import 'reflect-metadata';

export { buildFederatedSchema, type FederatedSchemaOptions, type ReferenceResolvers } from './build-federated-schema';
export { INTERNAL_CREDENTIAL_HEADER, signInternalCredential, verifyInternalCredential, InvalidCredentialError, type Caller } from './internal-credential';
export { initOrm, ormOptions, type OrmOptions } from './orm';
export { graphqlRequestListener, listen, readBody, sendJson, BodyTooLargeError, type Route } from './graphql-http';
export { startSubgraphServer, type SubgraphServerOptions, type RunningSubgraph } from './subgraph-server';
export { formatError } from './format-error';
export { requireUser, requirePermission } from './guards';
export { CONTRACT_SCALARS, DateTimeScalar, MoneyScalar, withContractScalars } from './scalars';
export { encodeCursor, decodeCursor } from './cursor';
export { toMinorUnits, fromMinorUnits, isSupportedCurrency, SUPPORTED_CURRENCIES, type Currency } from './money';
export { PageInfo, pageSize } from './pagination';
export { runStandalone } from './run-standalone';
export { isUuid, entityId, storableText } from './ids';
export { serviceRoute, serviceClient, internalAudience, type ServiceCall, type ServiceClientOptions } from './service-call';
export { healthRoutes, redisCheck, PROBE_TIMEOUT_MS, type HealthOptions, type ReadinessCheck } from './health';
export { exitOnTerminationSignals, loadShutdownTimeout, pendingStopSteps, stopInOrder, DEFAULT_SHUTDOWN_TIMEOUT_MS, type StopStep, type TerminationOptions } from './shutdown';
export { createLogger, logLines, requestIdOf, REQUEST_ID_HEADER, type Logger } from './logger';
