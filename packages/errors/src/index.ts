import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` the public API may return (see shared/contract/schema.graphql). Clients
 * branch on these, so they never change meaning; add new ones here, never inline a string.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  SEAT_UNAVAILABLE: 'SEAT_UNAVAILABLE',
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
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** A GraphQL error with a contract code and optional extra extensions. */
export function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const status = httpStatus[code];
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) },
  });
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

/** True when the error carries one of our contract codes (so it is safe to show to the caller). */
export function hasContractCode(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code;
  return typeof code === 'string' && code in ErrorCode && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}
