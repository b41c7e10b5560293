import { Kind, TypeInfo, getNamedType, valueFromAST, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * The fields a cached seat map may contain: every value they have for a published event is
 * fixed by the two cache keys — catalog's (the event's status and priceVersion; a published
 * event's layout, title, date and venue never change, prices bump priceVersion) and booking's
 * (the seat map version, whether the event is open, the earliest live hold's expiry). A field
 * not listed here (a booking's, a payment's, anything added later) makes the operation
 * uncacheable, so growing the schema can never make the cache serve stale data.
 */
export const SEAT_MAP_FIELDS: ReadonlySet<string> = new Set([
  'Query.event',
  'Event.id',
  'Event.title',
  'Event.startsAt',
  'Event.status',
  'Event.currency',
  'Event.singleSeatRule',
  'Event.venue',
  'Event.seats',
  'Event.seatMapVersion',
  'Event.availableSeatCount',
  'Venue.id',
  'Venue.name',
  'Venue.city',
  'Venue.sections',
  'Section.id',
  'Section.name',
  'Section.rows',
  'Section.seatsPerRow',
  'Seat.id',
  'Seat.row',
  'Seat.number',
  'Seat.x',
  'Seat.y',
  'Seat.price',
  'Seat.section',
  'Seat.availability',
]);

/**
 * The event whose map `operation` reads, when the operation is a query whose one root field is
 * `event(id:)` and which selects nothing outside {@link SEAT_MAP_FIELDS}; otherwise null (the
 * operation is not a seat map and is never cached). Fragments are followed through the whole
 * document, which validation has already checked.
 */
export function seatMapEventId(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string | null {
  if (operation.operation !== 'query') return null;
  const roots = operation.selectionSet.selections;
  const root = roots[0];
  if (roots.length !== 1 || root.kind !== Kind.FIELD || root.name.value !== 'event' || root.directives?.length) return null;
  const idArgument = root.arguments?.find((a) => a.name.value === 'id');
  const idType = schema.getQueryType()?.getFields().event?.args.find((a) => a.name === 'id')?.type;
  if (!idArgument || !idType) return null;
  const eventId: unknown = valueFromAST(idArgument.value, idType, variables);
  if (typeof eventId !== 'string') return null;
  return onlyMapFields(schema, document) ? eventId : null;
}

function onlyMapFields(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let allowed = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (node.name.value === '__typename') return;
        const parent = typeInfo.getParentType();
        const coordinate = parent ? `${getNamedType(parent).name}.${node.name.value}` : undefined;
        if (!coordinate || !SEAT_MAP_FIELDS.has(coordinate)) allowed = false;
      },
    }),
  );
  return allowed;
}
