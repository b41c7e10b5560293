import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { wholeFetchRefusal } from './refusal';

const seatTaken = { message: 'Some seats are no longer available', path: ['createBooking'], extensions: { code: 'SEAT_UNAVAILABLE', seatIds: ['s-1'] } };
const refused = (errors: unknown[], data: Record<string, unknown> | null = null) => ({ data, errors }) as unknown as GatewayGraphQLResponse;

describe('wholeFetchRefusal', () => {
  it("makes a root fetch's refusal the error @apollo/gateway would, without a stack trace", () => {
    const response = refused([seatTaken]);
    const error = wholeFetchRefusal(response, [], 'booking')!;
    expect(error.toJSON()).toEqual({ message: seatTaken.message, path: ['createBooking'], extensions: { code: 'SEAT_UNAVAILABLE', seatIds: ['s-1'], serviceName: 'booking' } });
    expect(error.originalError).toBe(response.errors![0]);
    // Its path is a copy: the error outlives the parsed answer it came from.
    expect(error.path).not.toBe(seatTaken.path);
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it('keeps the stack limit it found', () => {
    const limit = Error.stackTraceLimit;
    wholeFetchRefusal(refused([seatTaken]), [], 'booking');
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it.each([
    ['partial data (another root field answered)', refused([seatTaken], { createBooking: null, other: 1 }), []],
    ['several errors', refused([seatTaken, { ...seatTaken, path: ['other'] }]), []],
    ['a fetch below the root (paths mapped by @apollo/gateway)', refused([seatTaken]), ['events', 'edges', '@', 'node']],
    ["the gateway's own read (no path in the incoming request)", refused([seatTaken]), undefined],
    ['INTERNAL_SERVER_ERROR (a failure keeps its stack)', refused([{ ...seatTaken, extensions: { code: 'INTERNAL_SERVER_ERROR' } }]), []],
    ['an error without a contract code', refused([{ ...seatTaken, extensions: { code: 'SOMETHING_ELSE' } }]), []],
    ['an error without a message', refused([{ ...seatTaken, message: '' }]), []],
  ])('leaves %s to @apollo/gateway', (_case, response, path) => {
    expect(wholeFetchRefusal(response, path, 'booking')).toBeUndefined();
  });
});
