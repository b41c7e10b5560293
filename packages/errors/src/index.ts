import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` the public API may return (the README's Gateway and Failure modes
 * sections say when). Clients branch on these, so they never change meaning; add new ones
 * here, never inline a string.
 */
export const ErrorCode = {
  /**
   * The HTTP request itself is unusable (body not JSON, too large, not `application/json`):
   * GraphQL over HTTP's transport refusal, spelled as Apollo Server spells its own.
   */
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  SEAT_UNAVAILABLE: 'SEAT_UNAVAILABLE',
  /**
   * The selection would leave a single empty seat stranded (the event's lone-seat rule is
   * PREVENT); `extensions.strandedSeatIds` names it. A business refusal like SEAT_UNAVAILABLE:
   * no HTTP status of its own (200 with the error).
   */
  LONE_SEAT: 'LONE_SEAT',
  BOOKING_EXPIRED: 'BOOKING_EXPIRED',
  INVALID_BOOKING_STATE: 'INVALID_BOOKING_STATE',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  RATE_LIMITED: 'RATE_LIMITED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  OPERATION_TOO_COMPLEX: 'OPERATION_TOO_COMPLEX',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status a code maps to when it is the only error of a request. */
const httpStatus: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  OPERATION_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** How an error should shape the HTTP response, beyond its code's usual status. */
export interface AppErrorHttp {
  /**
   * `false` leaves the status to the server: for an error that can sit beside data (a subgraph
   * that failed while the others answered), where a 5xx would make HTTP clients drop the data.
   */
  status?: number | false;
  /** Response headers the error asks for (`retry-after`). */
  headers?: Record<string, string>;
}

/** A GraphQL error with a contract code and optional extra extensions. */
export function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, http: AppErrorHttp = {}): GraphQLError {
  const status = http.status === false ? undefined : (http.status ?? httpStatus[code]);
  // Apollo Server reads `extensions.http` (status, headers as a Map) and removes it from the response.
  const headers = http.headers ? { headers: new Map(Object.entries(http.headers)) } : {};
  const httpExtension = status || http.headers ? { http: { ...(status ? { status } : {}), ...headers } } : {};
  const make = () => new GraphQLError(message, { extensions: { code, ...extensions, ...httpExtension } });
  return code === ErrorCode.INTERNAL_SERVER_ERROR ? make() : withoutStackTrace(make);
}

/**
 * A contract error is an answer to the caller (a seat taken, bad input, over a limit), not a
 * fault anyone debugs from a stack: it is built without one. Capturing a stack costs several
 * microseconds, and graphql-js formats it when it wraps the error with its path — once for every
 * refused buyer in an on-sale's burst. INTERNAL_SERVER_ERROR keeps its stack.
 */
export function withoutStackTrace<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export const unauthenticated = (message = 'You must be signed in') => appError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this') => appError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id: string) => appError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });

/** Bad input, naming the offending field so a form can highlight it. */
export const badUserInput = (field: string, message: string) =>
  appError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

/** Some requested seats are held or sold; `seatIds` lists them so the SPA can grey them out. */
export const seatUnavailable = (seatIds: readonly string[]) =>
  appError(ErrorCode.SEAT_UNAVAILABLE, 'Some seats are no longer available', { seatIds: [...seatIds] });

/** The selection would strand `strandedSeatIds` (the lone-seat rule); the SPA highlights them. */
export const loneSeat = (strandedSeatIds: readonly string[]) =>
  appError(ErrorCode.LONE_SEAT, 'This selection would leave a single empty seat; choose seats next to it or at the end of the row', {
    strandedSeatIds: [...strandedSeatIds],
  });

/**
 * Over a rate limit: `retryAfterSeconds` in the body for GraphQL clients, `retry-after` on the
 * response for HTTP ones.
 */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  appError(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds }, { headers: { 'retry-after': String(retryAfterSeconds) } });

/** True when `code` is one of the registry's codes. */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ErrorCode, code);

/** True when the error carries one of our contract codes (so it is safe to show to the caller). */
export function hasContractCode(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code;
  return isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}
