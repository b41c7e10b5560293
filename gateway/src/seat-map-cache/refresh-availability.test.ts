import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, parse, type ObjectTypeDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { SEAT_MAP_FIELDS } from './map-operation';
import { BOOKING_MAP_FIELDS, parseSeatStates, refreshAvailability, type SeatStates } from './refresh-availability';
import { deepFreeze } from './stored-answer';

const schema = buildSchema(`
  type Query { event(id: ID!): Event }
  type Event { id: ID! title: String! seatMapVersion: Int availableSeatCount: Int seats: [Seat!]! venue: Venue! }
  type Venue { id: ID! name: String! }
  type Section { name: String! }
  enum SeatAvailability { AVAILABLE HELD SOLD NOT_ON_SALE }
  type Seat { id: ID! row: String! availability: SeatAvailability section: Section! }
`);

const seatIds = ['s1', 's2', 's3', 's4'];
const planned = () =>
  deepFreeze({
    event: {
      id: 'e1',
      title: 'Night',
      seatMapVersion: 7,
      availableSeatCount: 3,
      venue: { id: 'v1', name: 'Hall' },
      seats: seatIds.map((id, i) => ({ id, row: 'A', availability: i === 0 ? 'HELD' : 'AVAILABLE', section: { name: 'Floor' } })),
    },
  });
const states = (over: Partial<SeatStates> = {}): SeatStates => ({ key: '9:open:-', seatMapVersion: 9, availableSeatCount: 2, projectedSeats: 4, held: ['s2'], sold: ['s3'], notOnSale: [], ...over });
const mapOf = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return { schema, document, operation, variables };
};
const MAP = '{ event(id: "e1") { id title seatMapVersion availableSeatCount venue { name } seats { id row availability section { name } } } }';

describe('refreshAvailability', () => {
  it("replaces booking's values from one snapshot and keeps catalog's, sharing what did not change", () => {
    const data = planned();
    const refreshed = refreshAvailability(mapOf(MAP), data, states()) as typeof data;
    expect(refreshed.event.seats.map((s) => s.availability)).toEqual(['AVAILABLE', 'HELD', 'SOLD', 'AVAILABLE']);
    expect(refreshed.event).toMatchObject({ id: 'e1', title: 'Night', seatMapVersion: 9, availableSeatCount: 2 });
    // The stored answer is untouched (it is frozen; a write would have thrown) and what holds no booking value is shared.
    expect(data.event.seats[1].availability).toBe('AVAILABLE');
    expect(refreshed.event.venue).toBe(data.event.venue);
    expect(refreshed.event.seats[0].section).toBe(data.event.seats[0].section);
    expect(refreshed.event.seats[0]).not.toBe(data.event.seats[0]);
  });

  it('marks every unlisted seat NOT_ON_SALE only when booking lists it so (a cancelled event)', () => {
    const refreshed = refreshAvailability(mapOf(MAP), planned(), states({ held: [], sold: ['s1'], notOnSale: ['s2', 's3', 's4'], availableSeatCount: 0 })) as ReturnType<typeof planned>;
    expect(refreshed.event.seats.map((s) => s.availability)).toEqual(['SOLD', 'NOT_ON_SALE', 'NOT_ON_SALE', 'NOT_ON_SALE']);
  });

  it('finds booking values under aliases, in fragments and behind @include, as the executor would', () => {
    const query = `query ($withCount: Boolean!) {
      show: event(id: "e1") { version: seatMapVersion free: availableSeatCount @include(if: $withCount) ...Places }
    }
    fragment Places on Event { seats { key: id ... on Seat { state: availability } } }`;
    const data = deepFreeze({ show: { version: 7, free: 3, seats: seatIds.map((id) => ({ key: id, state: 'AVAILABLE' })) } });
    expect(refreshAvailability(mapOf(query, { withCount: true }), data, states())).toEqual({
      show: { version: 9, free: 2, seats: [{ key: 's1', state: 'AVAILABLE' }, { key: 's2', state: 'HELD' }, { key: 's3', state: 'SOLD' }, { key: 's4', state: 'AVAILABLE' }] },
    });
    const withoutCount = deepFreeze({ show: { version: 7, seats: seatIds.map((id) => ({ key: id, state: 'AVAILABLE' })) } });
    expect(refreshAvailability(mapOf(query, { withCount: false }), withoutCount, states())).toEqual({
      show: { version: 9, seats: [{ key: 's1', state: 'AVAILABLE' }, { key: 's2', state: 'HELD' }, { key: 's3', state: 'SOLD' }, { key: 's4', state: 'AVAILABLE' }] },
    });
  });

  it('keeps a map without booking values as it is, and a null event null', () => {
    const query = '{ event(id: "e1") { id title seats { id row } } }';
    const data = deepFreeze({ event: { id: 'e1', title: 'Night', seats: seatIds.map((id) => ({ id, row: 'A' })) } });
    expect(refreshAvailability(mapOf(query), data, states())).toEqual(data);
    expect(refreshAvailability(mapOf(query), deepFreeze({ event: null }), states())).toEqual({ event: null });
  });

  it('gives up (the map is planned) when it cannot be exact', () => {
    // Availability without the seat's id: which seat is which is unknown.
    const noIds = deepFreeze({ event: { seats: seatIds.map(() => ({ availability: 'AVAILABLE' })) } });
    expect(refreshAvailability(mapOf('{ event(id: "e1") { seats { availability } } }'), noIds, states())).toBeNull();
    // Booking's projection is not the map's seats one for one.
    expect(refreshAvailability(mapOf(MAP), planned(), states({ projectedSeats: 5 }))).toBeNull();
    expect(refreshAvailability(mapOf(MAP), planned(), states({ held: ['s9'] }))).toBeNull();
  });
});

describe('parseSeatStates', () => {
  it("accepts booking's text and nothing else", () => {
    expect(parseSeatStates(JSON.stringify(states()))).toEqual(states());
    for (const bad of [null, 42, 'not json', '{}', JSON.stringify({ ...states(), held: [1] }), JSON.stringify({ ...states(), seatMapVersion: '9' })]) expect(parseSeatStates(bad)).toBeNull();
  });
});

describe('BOOKING_MAP_FIELDS', () => {
  it("names exactly the seat-map fields the supergraph resolves in booking (a new one must be refreshed or it would go stale)", () => {
    const supergraph = parse(fs.readFileSync(path.join(__dirname, '../../../schema/supergraph.graphql'), 'utf8'));
    const types = new Map(supergraph.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION).map((d) => [d.name.value, d]));
    const graphsOf = (coordinate: string) => {
      const [type, field] = coordinate.split('.');
      const definition = types.get(type)?.fields?.find((f) => f.name.value === field);
      if (!definition) throw new Error(`${coordinate} is not in the supergraph`);
      return (definition.directives ?? [])
        .filter((d) => d.name.value === 'join__field')
        .flatMap((d) => d.arguments?.filter((a) => a.name.value === 'graph').map((a) => (a.value.kind === Kind.ENUM ? a.value.value : '')) ?? []);
    };
    const bookingOnly = [...SEAT_MAP_FIELDS].filter((c) => {
      const graphs = graphsOf(c);
      return graphs.includes('BOOKING') && !graphs.includes('CATALOG');
    });
    expect(new Set(bookingOnly)).toEqual(BOOKING_MAP_FIELDS);
  });
});
