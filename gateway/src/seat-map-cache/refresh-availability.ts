import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { getNamedType, isObjectType, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * Booking's whole part of one event's map, read in one statement (booking's hidden
 * `Event.seatStates`): its availability cache key as of that moment, the event's counters, and
 * the ids of every seat that is not AVAILABLE.
 */
export interface SeatStates {
  key: string;
  seatMapVersion: number;
  availableSeatCount: number;
  /** Seats of the event in booking's projection. */
  projectedSeats: number;
  held: string[];
  sold: string[];
  notOnSale: string[];
}

/**
 * The map fields whose values booking owns; every other field of a seat map (SEAT_MAP_FIELDS)
 * is catalog's and fixed by catalog's key. A test checks this list against the supergraph.
 */
export const BOOKING_MAP_FIELDS: ReadonlySet<string> = new Set(['Event.seatMapVersion', 'Event.availableSeatCount', 'Seat.availability']);

/** The only types on the path from the root to a booking-owned value: nothing else is copied. */
const TYPES_HOLDING_BOOKING_FIELDS: ReadonlySet<string> = new Set(['Query', 'Event', 'Seat']);

/** Booking's text, checked: anything else is treated as no answer (the map is planned). */
export function parseSeatStates(text: unknown): SeatStates | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const v = value as Partial<SeatStates> | null;
  const ids = (list: unknown) => Array.isArray(list) && list.every((id) => typeof id === 'string');
  if (!v || typeof v.key !== 'string' || typeof v.seatMapVersion !== 'number' || typeof v.availableSeatCount !== 'number' || typeof v.projectedSeats !== 'number') return null;
  return ids(v.held) && ids(v.sold) && ids(v.notOnSale) ? (v as SeatStates) : null;
}

export interface MapOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

class NotRefreshable extends Error {}

/**
 * A stored map answer of `map`'s operation brought up to date with booking's `states`: the same
 * shape and catalog values (catalog's key is unchanged — the caller checks), booking's values
 * replaced. Walks the operation's own selections as graphql-js's executor collects them
 * (aliases, fragments, @skip/@include), so every booking value is found under whatever key the
 * query put it. New objects only on the path to booking values (the root, the event, its seats);
 * everything else is shared with `data`, which stays untouched.
 *
 * null when it cannot be done exactly, and the map is then planned as usual: seats whose
 * availability is selected without their id, or a map whose seats are not booking's projection
 * one for one (a published event's seats are the ones catalog announced, and booking projects
 * exactly those; a count that differs means the projection is not complete).
 */
export function refreshAvailability(map: MapOperation, data: Record<string, unknown>, states: SeatStates): Record<string, unknown> | null {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of map.document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const stateOf = new Map<string, string>();
  for (const id of states.held) stateOf.set(id, 'HELD');
  for (const id of states.sold) stateOf.set(id, 'SOLD');
  for (const id of states.notOnSale) stateOf.set(id, 'NOT_ON_SALE');
  const listedSeen = new Set<string>();
  let availabilitySelected = false;

  const refreshObject = (type: GraphQLObjectType, fields: Map<string, ReadonlyArray<FieldNode>>, value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const source = value as Record<string, unknown>;
    const copy: Record<string, unknown> = { ...source };
    const idKey = [...fields].find(([, nodes]) => nodes[0].name.value === 'id')?.[0];
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      const coordinate = `${type.name}.${name}`;
      if (coordinate === 'Event.seatMapVersion') copy[key] = states.seatMapVersion;
      else if (coordinate === 'Event.availableSeatCount') copy[key] = states.availableSeatCount;
      else if (coordinate === 'Event.seats' && Array.isArray(source[key]) && (source[key] as unknown[]).length !== states.projectedSeats) throw new NotRefreshable();
      else if (coordinate === 'Seat.availability') {
        const id = idKey === undefined ? undefined : source[idKey];
        if (typeof id !== 'string') throw new NotRefreshable();
        availabilitySelected = true;
        const listed = stateOf.get(id);
        if (listed) listedSeen.add(id);
        copy[key] = listed ?? 'AVAILABLE';
      }
      if (name === '__typename') continue;
      const fieldType = getNamedType(type.getFields()[name]?.type);
      if (!isObjectType(fieldType) || !TYPES_HOLDING_BOOKING_FIELDS.has(fieldType.name)) continue;
      const subfields = collectSubfields(map.schema, fragments, map.variables, fieldType, nodes);
      const child = copy[key];
      copy[key] = Array.isArray(child) ? child.map((item) => refreshObject(fieldType, subfields, item)) : refreshObject(fieldType, subfields, child);
    }
    return copy;
  };

  const queryType = map.schema.getQueryType();
  if (!queryType) return null;
  try {
    const refreshed = refreshObject(queryType, collectFields(map.schema, fragments, map.variables, queryType, map.operation.selectionSet), data) as Record<string, unknown>;
    // A listed seat missing from the map: the map and the projection are not the same seats.
    if (availabilitySelected && listedSeen.size < stateOf.size) return null;
    return refreshed;
  } catch (error) {
    if (error instanceof NotRefreshable) return null;
    throw error;
  }
}
