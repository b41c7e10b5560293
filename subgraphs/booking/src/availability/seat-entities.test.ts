import 'reflect-metadata';
import DataLoader from 'dataloader';
import { execute, parse, type GraphQLSchema } from 'graphql';
import type { BookingContext } from '../context';
import { SeatAvailability } from '../booking/booking.types';
import { buildBookingSchema } from '../schema';

const ENTITIES = parse(`query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Seat { id availability } ... on Event { id seatMapVersion } } }`);
const SEAT_A = '00000000-0000-4000-8000-00000000000a';
const SEAT_B = '00000000-0000-4000-8000-00000000000b';
const EVENT = '00000000-0000-4000-8000-0000000000e1';

/** A context whose availability reads are fakes of the service's answers (the SQL has its own integration tests). */
function contextWith(batch: (ids: readonly string[]) => Promise<Map<string, SeatAvailability>>) {
  const perSeat = jest.fn(async (ids: readonly string[]) => ids.map((id) => (id === SEAT_A ? SeatAvailability.SOLD : undefined)));
  const loaders = {
    seatAvailabilities: jest.fn(batch),
    seatAvailability: new DataLoader(perSeat),
    eventAvailability: new DataLoader(async (ids: readonly string[]) => ids.map(() => ({ availableSeatCount: 1, seatMapVersion: 7 }))),
  };
  return { ctx: { caller: { permissions: [] }, loaders } as unknown as BookingContext, perSeat, loaders };
}

describe('batchSeatEntities', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildBookingSchema();
  });

  it("answers a map's seats from one batch read, other entities in their places", async () => {
    const { ctx, perSeat, loaders } = contextWith(async () => new Map([[SEAT_A, SeatAvailability.HELD]]));
    const r = [{ __typename: 'Seat', id: SEAT_A }, { __typename: 'Event', id: EVENT }, { __typename: 'Seat', id: SEAT_B }];
    const result = await execute({ schema, document: ENTITIES, variableValues: { r }, contextValue: ctx });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { __typename: 'Seat', id: SEAT_A, availability: 'HELD' },
      { __typename: 'Event', id: EVENT, seatMapVersion: 7 },
      // Not in the projection: NOT_ON_SALE, never AVAILABLE.
      { __typename: 'Seat', id: SEAT_B, availability: 'NOT_ON_SALE' },
    ]);
    expect(loaders.seatAvailabilities).toHaveBeenCalledTimes(1);
    expect(loaders.seatAvailabilities).toHaveBeenCalledWith([SEAT_A, SEAT_B]);
    expect(perSeat).not.toHaveBeenCalled();
  });

  it('falls back to the per-seat loader when the batch read fails', async () => {
    const { ctx, perSeat } = contextWith(async () => Promise.reject(new Error('connection reset')));
    const r = [{ __typename: 'Seat', id: SEAT_A }, { __typename: 'Seat', id: SEAT_B }];
    const result = await execute({ schema, document: ENTITIES, variableValues: { r }, contextValue: ctx });
    expect(result.data?._entities).toEqual([
      { __typename: 'Seat', id: SEAT_A, availability: 'SOLD' },
      { __typename: 'Seat', id: SEAT_B, availability: 'NOT_ON_SALE' },
    ]);
    expect(perSeat).toHaveBeenCalledTimes(1);
  });

  it('leaves fetches without seats to the original resolver', async () => {
    const { ctx, loaders } = contextWith(async () => new Map());
    const result = await execute({ schema, document: ENTITIES, variableValues: { r: [{ __typename: 'Event', id: EVENT }] }, contextValue: ctx });
    expect(result.data?._entities).toEqual([{ __typename: 'Event', id: EVENT, seatMapVersion: 7 }]);
    expect(loaders.seatAvailabilities).not.toHaveBeenCalled();
  });
});
