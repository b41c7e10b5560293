import { appError, ErrorCode, hasContractCode, isErrorCode, rateLimited } from './index';

describe('appError', () => {
  it("gives a code its registry status, which the caller may override or leave to the server", () => {
    expect(appError(ErrorCode.RATE_LIMITED, 'slow down').extensions).toEqual({ code: 'RATE_LIMITED', http: { status: 429 } });
    expect(appError(ErrorCode.OPERATION_TOO_COMPLEX, 'too deep', { limit: 'depth' }).extensions).toEqual({ code: 'OPERATION_TOO_COMPLEX', limit: 'depth', http: { status: 400 } });
    expect(appError(ErrorCode.SERVICE_UNAVAILABLE, 'retry', {}, { status: false }).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(appError(ErrorCode.NOT_FOUND, 'no such event').extensions).toEqual({ code: 'NOT_FOUND' });
    expect(appError(ErrorCode.BAD_USER_INPUT, 'x: bad', {}, { status: 400 }).extensions?.http).toEqual({ status: 400 });
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
