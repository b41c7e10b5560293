import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { BookingStatus } from './booking.entity';
import { assertMove, canMove, lockOrder, sameSeats, validateSeatRequest } from './booking.rules';

const MAX = 10;
const uuid = fc.uuid().chain((u) => fc.boolean().map((up) => (up ? u.toUpperCase() : u)));
const notUuid = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', "' or 1=1 --", '00000000-0000-0000-0000-00000000000g'));
const seatIds = fc.oneof({ weight: 4, arbitrary: fc.array(uuid, { maxLength: 12 }) }, fc.array(fc.oneof(uuid, notUuid), { maxLength: 12 }), fc.array(uuid, { minLength: 1, maxLength: 5 }).map((ids) => [...ids, ids[0]]));
const key = fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', '  ', 'k'.repeat(200), 'k'.repeat(201), 'a\u0000b')), { nil: undefined });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pure properties of the booking rules: what createBooking relies on before it touches the database. */
describe('booking rules (properties)', () => {
  it('validateSeatRequest either returns the seats, lower-cased, distinct, in lock order, or throws BAD_USER_INPUT naming a field', () => {
    fc.assert(
      fc.property(fc.oneof(uuid, notUuid), seatIds, key, (eventId, seats, idempotencyKey) => {
        let result: string[];
        try {
          result = validateSeatRequest({ eventId, seatIds: seats, idempotencyKey }, MAX);
        } catch (error) {
          // Only contract errors, never a TypeError or a driver-bound value.
          expect(error).toBeInstanceOf(GraphQLError);
          const { code, field } = (error as GraphQLError).extensions;
          expect({ code, field: ['eventId', 'seatIds', 'idempotencyKey'].includes(String(field)) }).toEqual({ code: 'BAD_USER_INPUT', field: true });
          return;
        }
        // Accepted: everything the database will see is well-formed.
        const lower = seats.map((s) => s.toLowerCase());
        expect(UUID.test(eventId)).toBe(true);
        expect(result).toEqual([...new Set(lower)].sort());
        expect(result).toHaveLength(seats.length);
        expect(seats.length >= 1 && seats.length <= MAX).toBe(true);
        expect(result.every((s) => UUID.test(s))).toBe(true);
        if (idempotencyKey !== undefined) expect(idempotencyKey.trim() !== '' && idempotencyKey.length <= 200 && !idempotencyKey.includes('\u0000')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('lock order is one total order: the same set of seats always locks in the same sequence', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { maxLength: 10 }).chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }))), ([ids, shuffled]) => {
        expect(lockOrder(shuffled)).toEqual(lockOrder(ids));
        expect(lockOrder(lockOrder(ids))).toEqual(lockOrder(ids));
      }),
      { numRuns: 200 },
    );
  });

  it('sameSeats compares sets whatever the order and letter case, and is symmetric', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { maxLength: 6 }), fc.uniqueArray(fc.uuid(), { maxLength: 6 }), (a, b) => {
        expect(sameSeats(a, [...a].reverse().map((s) => s.toUpperCase()))).toBe(true);
        expect(sameSeats(a, b)).toBe(sameSeats(b, a));
        expect(sameSeats(a, b)).toBe(lockOrder(a).join() === lockOrder(b).join());
      }),
      { numRuns: 200 },
    );
  });

  it('assertMove throws INVALID_BOOKING_STATE exactly when canMove says no; terminal statuses go nowhere', () => {
    const status = fc.constantFrom(...Object.values(BookingStatus));
    fc.assert(
      fc.property(status, status, (from, to) => {
        let code: unknown;
        try {
          assertMove(from, to);
        } catch (error) {
          code = (error as GraphQLError).extensions.code;
        }
        expect(code).toBe(canMove(from, to) ? undefined : 'INVALID_BOOKING_STATE');
        if (from === BookingStatus.CANCELLED || from === BookingStatus.EXPIRED) expect(canMove(from, to)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});
