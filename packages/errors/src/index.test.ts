import { locatedError } from 'graphql';
import { appError, ErrorCode, hasContractCode, isErrorCode, rateLimited, seatUnavailable } from './index';

describe('appError', () => {
  it("gives a code its registry status, which the caller may override or leave to the server", () => {
    expect(appError(ErrorCode.RATE_LIMITED, 'slow down').extensions).toEqual({ code: 'RATE_LIMITED', http: { status: 429 } });
    expect(appError(ErrorCode.OPERATION_TOO_COMPLEX, 'too deep', { limit: 'depth' }).extensions).toEqual({ code: 'OPERATION_TOO_COMPLEX', limit: 'depth', http: { status: 400 } });
    expect(appError(ErrorCode.SERVICE_UNAVAILABLE, 'retry', {}, { status: false }).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(appError(ErrorCode.NOT_FOUND, 'no such event').extensions).toEqual({ code: 'NOT_FOUND' });
    expect(appError(ErrorCode.BAD_USER_INPUT, 'x: bad', {}, { status: 400 }).extensions?.http).toEqual({ status: 400 });
  });

  it('builds a contract error without a stack trace (an answer, not a fault), INTERNAL_SERVER_ERROR with one', () => {
    const frames = (stack: string | undefined) => (stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;
    const limit = Error.stackTraceLimit;
    const refusal = seatUnavailable(['s1']);
    expect(refusal.stack).toBe('GraphQLError: Some seats are no longer available');
    expect(refusal.extensions).toEqual({ code: 'SEAT_UNAVAILABLE', seatIds: ['s1'] });
    // What graphql-js does with a resolver's error: wraps it with its path, taking over its stack.
    expect(frames(locatedError(refusal, undefined, ['createBooking']).stack)).toBe(0);
    expect(frames(appError(ErrorCode.INTERNAL_SERVER_ERROR, 'broken').stack)).toBeGreaterThan(0);
    // The process's own setting is left as it was.
    expect(Error.stackTraceLimit).toBe(limit);
    expect(frames(new Error('a bug').stack)).toBeGreaterThan(0);
  });

  it('a rate-limit refusal carries its wait in the body and as a retry-after header', () => {
    const error = rateLimited('Too many requests', 17);
    expect(error.message).toBe('Too many requests');
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.extensions.retryAfterSeconds).toBe(17);
    const http = error.extensions.http as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(429);
    expect([...http.headers]).toEqual([['retry-after', '17']]);
  });
});

describe('the registry', () => {
  it('knows its own codes only (not Object.prototype names)', () => {
    expect(isErrorCode('BAD_REQUEST')).toBe(true);
    expect(isErrorCode('SEAT_UNAVAILABLE')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('GRAPHQL_PARSE_FAILED')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it('calls every code but INTERNAL_SERVER_ERROR a contract error, safe to show', () => {
    expect(hasContractCode({ extensions: { code: 'BAD_REQUEST' } })).toBe(true);
    expect(hasContractCode({ extensions: { code: 'FORBIDDEN' } })).toBe(true);
    expect(hasContractCode({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })).toBe(false);
    expect(hasContractCode({ extensions: { code: 'constructor' } })).toBe(false);
    expect(hasContractCode({})).toBe(false);
  });
});
