/**
 * What a failed delivery means for the message. The consumer retries a `transient` failure for
 * as long as it takes (the dependency is down, not the message wrong), dead-letters a
 * `permanent` one at once, and gives an `unknown` one a bounded number of attempts: a handler
 * bug that no retry can fix must not stall its partition forever.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

export interface DeliveryFailure {
  kind: FailureKind;
  /**
   * A short, bounded label for metrics and logs: the errno or SQLSTATE (`ECONNREFUSED`,
   * `pg:57P03`), a driver condition (`pool-timeout`), or `unprocessable` / `handler-error`.
   */
  reason: string;
}

/**
 * Thrown for a message that can never succeed, whatever is retried: a body that is not an
 * envelope, a version the consumer does not know, a payload that fails validation. Such a
 * message is dead-lettered on the first attempt.
 */
export class UnprocessableMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnprocessableMessageError';
  }
}

/** Thrown out of a retry loop when its transport is closing; the message stays uncommitted. */
export class DeliveryAbortedError extends Error {
  constructor(readonly lastError?: Error) {
    super(lastError ? `delivery aborted while retrying: ${lastError.message}` : 'delivery aborted: the transport is closing');
    this.name = 'DeliveryAbortedError';
  }
}

/** Socket and DNS failures from node:net, node:dns and undici: the other side is unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * PostgreSQL SQLSTATEs that say the server, not the statement, is the problem
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html). Authentication (28xxx) and a
 * missing database (3D000) are here too: a misconfigured or half-restored server must not throw
 * every message it sees away.
 */
function transientSqlState(code: string, message: string): boolean {
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  const cls = code.slice(0, 2);
  // protocol_violation: what was sent was malformed (a NUL byte in a query's text, say); a retry
  // sends it again, so it is not an outage whatever its class.
  if (code === '08P01') return false;
  if (cls === '08' || cls === '53' || cls === '58' || cls === '28') return true; // connection, resources, system I/O, auth
  if (code === '40001' || code === '40P01') return true; // serialization failure, deadlock
  if (code === '55P03') return true; // lock_not_available (lock_timeout, NOWAIT)
  if (code === '57P01' || code === '57P02' || code === '57P03') return true; // admin/crash shutdown, cannot connect now
  if (code === '3D000') return true; // database does not exist (yet)
  // `ALTER DATABASE … ALLOW_CONNECTIONS false` refuses with the generic 55000.
  if (code === '55000' && /not currently accepting connections/i.test(message)) return true;
  return false;
}

/** Conditions drivers report by name or message only. */
const TRANSIENT_MESSAGES: Array<[RegExp, string]> = [
  [/Timeout acquiring a connection/i, 'pool-timeout'], // knex/tarn, as MikroORM rethrows it
  [/Connection terminated/i, 'connection-terminated'], // pg: unexpectedly / due to connection timeout
  [/Client has encountered a connection error/i, 'connection-terminated'], // pg: a broken client reused
  // knex, for the next statement of a transaction whose connection the server just terminated
  // (the fault suite's "booking db refused" case: createBooking's plain-SQL steps met it).
  [/Transaction query already complete/i, 'connection-terminated'],
  [/Connection is closed/i, 'connection-closed'], // ioredis
  [/max retries per request/i, 'connection-closed'], // ioredis MaxRetriesPerRequestError
];

const TRANSIENT_NAMES: Record<string, string> = {
  KnexTimeoutError: 'pool-timeout',
  ConnectionException: 'db-connection', // MikroORM
  LockWaitTimeoutException: 'db-lock-timeout', // MikroORM
  DeadlockException: 'db-deadlock', // MikroORM: 40001 and 40P01
  MaxRetriesPerRequestError: 'connection-closed', // ioredis
  TimeoutError: 'timeout', // AbortSignal.timeout() around fetch
  KafkaJSConnectionError: 'kafka-connection',
  KafkaJSRequestTimeoutError: 'kafka-timeout',
  KafkaJSNumberOfRetriesExceeded: 'kafka-retries-exceeded',
  KafkaJSBrokerNotFound: 'kafka-connection',
};

/** `extensions.code` a subgraph or the gateway answers while a dependency is down (@eventix/errors). */
const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

type Inspectable = Error & {
  code?: unknown;
  sqlState?: unknown;
  retriable?: unknown;
  extensions?: { code?: unknown };
  originalError?: unknown;
  errors?: unknown;
};

/** One error's own verdict, ignoring what it wraps. */
function classifyOne(error: Inspectable): DeliveryFailure | undefined {
  if (error instanceof UnprocessableMessageError || error.name === 'UnprocessableMessageError') {
    return { kind: 'permanent', reason: 'unprocessable' };
  }
  const code = typeof error.code === 'string' ? error.code : typeof error.sqlState === 'string' ? error.sqlState : undefined;
  if (code && NETWORK_CODES.has(code)) return { kind: 'transient', reason: code };
  if (code && transientSqlState(code, error.message)) return { kind: 'transient', reason: `pg:${code}` };
  if (error.extensions?.code === SERVICE_UNAVAILABLE) return { kind: 'transient', reason: 'service-unavailable' };
  const byName = Object.hasOwn(TRANSIENT_NAMES, error.name) ? TRANSIENT_NAMES[error.name] : undefined;
  if (byName) return { kind: 'transient', reason: byName };
  // kafkajs marks the failures its own client would retry.
  if (typeof error.name === 'string' && error.name.startsWith('KafkaJS') && error.retriable === true) return { kind: 'transient', reason: 'kafka-retriable' };
  for (const [pattern, reason] of TRANSIENT_MESSAGES) {
    if (pattern.test(error.message)) return { kind: 'transient', reason };
  }
  return undefined;
}

/** The error, what it wraps (`cause`, GraphQL's `originalError`) and an AggregateError's parts. */
function* chain(error: unknown, seen = new Set<unknown>(), depth = 0): Generator<Inspectable> {
  // Duck-typed, not `instanceof Error`: errors from node's core modules come from another realm
  // under jest's vm sandbox, and some libraries throw plain objects with a message.
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string' || seen.has(error) || depth > 8) return;
  seen.add(error);
  const e = error as Inspectable;
  yield e;
  yield* chain(e.cause, seen, depth + 1);
  yield* chain(e.originalError, seen, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, seen, depth + 1);
}

/**
 * Decides whether a handler's error is worth waiting out. A permanent verdict anywhere in the
 * chain wins (a handler that says "unprocessable" means it); otherwise any transient one does,
 * since drivers wrap the socket error that is the real cause. Everything else is `unknown`.
 */
export function classifyDeliveryError(error: unknown): DeliveryFailure {
  const verdicts = [...chain(error)].map(classifyOne).filter((v): v is DeliveryFailure => v !== undefined);
  return verdicts.find((v) => v.kind === 'permanent') ?? verdicts[0] ?? { kind: 'unknown', reason: 'handler-error' };
}
