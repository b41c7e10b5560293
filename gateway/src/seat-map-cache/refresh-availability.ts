import { z } from 'zod';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { getNamedType, isObjectType, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * Booking's whole part of one event's map, read in one statement (booking's hidden
 * `Event.seatStates`): its availability cache key as of that moment, the event's counters, the
 * number of seats in booking's projection and the ids of every seat that is not AVAILABLE.
 */
const SEAT_STATES_SCHEMA = z.object({
  key: z.string(),
  seatMapVersion: z.number(),
  availableSeatCount: z.number(),
  projectedSeats: z.number(),
  held: z.array(z.string()),
  sold: z.array(z.string()),
  notOnSale: z.array(z.string()),
});
export type SeatStates = z.infer<typeof SEAT_STATES_SCHEMA>;

/**
 * The map fields whose values booking owns; every other field of a seat map (SEAT_MAP_FIELDS)
 * is catalog's and fixed by catalog's key. A test checks this list against the supergraph.
 */
export const BOOKING_MAP_FIELDS: ReadonlySet<string> = new Set(['Event.seatMapVersion', 'Event.availableSeatCount', 'Seat.availability']);

/**
 * The only types on the path from the root to a booking-owned value (the root, and the types
 * that own one: an event holds its seats): nothing else is copied.
 */
const TYPES_HOLDING_BOOKING_FIELDS: ReadonlySet<string> = new Set(['Query', ...[...BOOKING_MAP_FIELDS].map((coordinate) => coordinate.split('.')[0])]);

/** Booking's text, checked: anything else is treated as no answer (the map is planned). */
export function parseSeatStates(text: unknown): SeatStates | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed = SEAT_STATES_SCHEMA.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface MapOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

class NotRefreshable extends Error {}

/** What to do with each object one selection selects: set a booking value, or go into a field. */
interface ObjectPlan {
  /** Where the object's id is (the first `id` field, under its alias). */
  idKey?: string;
  steps: Array<{ key: string; value: 'seatMapVersion' | 'availableSeatCount' } | { key: string; availability: true } | { key: string; child: ObjectPlan; seats: boolean }>;
}

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
  const fragments = fragmentsOf(map.document);
  const stateOf = listedStates(states);
  const listedSeen = new Set<string>();
  let availabilitySelected = false;

  // Each selection is worked out once, then applied to every object it selects (20,000 seats).
  const compile = (type: GraphQLObjectType, fields: Map<string, ReadonlyArray<FieldNode>>): ObjectPlan => {
    const plan: ObjectPlan = { steps: [] };
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      if (name === 'id') plan.idKey ??= key;
      const coordinate = `${type.name}.${name}`;
      if (coordinate === 'Event.seatMapVersion') plan.steps.push({ key, value: 'seatMapVersion' });
      else if (coordinate === 'Event.availableSeatCount') plan.steps.push({ key, value: 'availableSeatCount' });
      else if (coordinate === 'Seat.availability') plan.steps.push({ key, availability: true });
      else if (name !== '__typename') {
        const fieldType = getNamedType(type.getFields()[name]?.type);
        if (!isObjectType(fieldType) || !TYPES_HOLDING_BOOKING_FIELDS.has(fieldType.name)) continue;
        plan.steps.push({ key, child: compile(fieldType, collectSubfields(map.schema, fragments, map.variables, fieldType, nodes)), seats: coordinate === 'Event.seats' });
      }
    }
    if (plan.steps.some((step) => 'availability' in step)) {
      // Which seat is which is unknown without its id.
      if (plan.idKey === undefined) throw new NotRefreshable();
      availabilitySelected = true;
    }
    return plan;
  };

  const apply = (plan: ObjectPlan, value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const source = value as Record<string, unknown>;
    const copy: Record<string, unknown> = { ...source };
    for (const step of plan.steps) {
      if ('value' in step) copy[step.key] = states[step.value];
      else if ('availability' in step) {
        const id = source[plan.idKey as string];
        if (typeof id !== 'string') throw new NotRefreshable();
        const listed = stateOf.get(id);
        if (listed) listedSeen.add(id);
        copy[step.key] = listed ?? 'AVAILABLE';
      } else {
        const child = source[step.key];
        if (step.seats && Array.isArray(child) && child.length !== states.projectedSeats) throw new NotRefreshable();
        copy[step.key] = Array.isArray(child) ? child.map((item) => apply(step.child, item)) : apply(step.child, child);
      }
    }
    return copy;
  };

  const queryType = map.schema.getQueryType();
  if (!queryType) return null;
  try {
    const refreshed = apply(compile(queryType, collectFields(map.schema, fragments, map.variables, queryType, map.operation.selectionSet)), data) as Record<string, unknown>;
    // A listed seat missing from the map: the map and the projection are not the same seats.
    if (availabilitySelected && listedSeen.size < stateOf.size) return null;
    return refreshed;
  } catch (error) {
    if (error instanceof NotRefreshable) return null;
    throw error;
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return fragments;
}

/** Each listed seat's state; a seat not listed is AVAILABLE. */
function listedStates(states: SeatStates): Map<string, string> {
  const stateOf = new Map<string, string>();
  for (const id of states.held) stateOf.set(id, 'HELD');
  for (const id of states.sold) stateOf.set(id, 'SOLD');
  for (const id of states.notOnSale) stateOf.set(id, 'NOT_ON_SALE');
  return stateOf;
}
