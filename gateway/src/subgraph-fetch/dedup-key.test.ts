import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { parse, type OperationDefinitionNode } from 'graphql';
import { dedupKey } from './dedup-key';

const fetchOf = (incoming: string, fetch: string): GraphQLDataSourceProcessOptions =>
  ({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: fetch },
    incomingRequestContext: { operation: parse(incoming).definitions[0] as OperationDefinitionNode },
    context: {},
  }) as unknown as GraphQLDataSourceProcessOptions;

const anonymous = { permissions: [] };
const fan = { userId: 'fan-1', permissions: ['book'] };
const body = (variables: Record<string, unknown>) => JSON.stringify({ query: 'query Q($id: ID!) { event(id: $id) { id } }', variables });

describe('dedupKey', () => {
  const read = fetchOf('{ event(id: "e1") { id } }', 'query Q($id: ID!) { event(id: $id) { id } }');

  it('shares shorthand query fetches too', () => {
    expect(dedupKey('catalog', fetchOf('{ events { id } }', '{ events { id } }'), anonymous, '{}', {})).toBeDefined();
  });

  it('gives identical query fetches of one caller identity one key, whatever request they belong to', () => {
    expect(dedupKey('catalog', read, anonymous, body({ id: 'e1' }), {})).toBe(dedupKey('catalog', read, { permissions: [] }, body({ id: 'e1' }), {}));
    expect(dedupKey('catalog', read, fan, body({ id: 'e1' }), {})).toBe(dedupKey('catalog', read, { userId: 'fan-1', permissions: ['book'] }, body({ id: 'e1' }), {}));
  });

  it('keeps subgraphs, callers, permissions, partners, variables and forwarded headers apart', () => {
    const keys = [
      dedupKey('catalog', read, fan, body({ id: 'e1' }), {}),
      dedupKey('booking', read, fan, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, anonymous, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, { userId: 'anonymous', permissions: [] }, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, { userId: 'fan-2', permissions: ['book'] }, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, { userId: 'fan-1', permissions: ['book', 'admin'] }, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, { ...fan, clientId: 'partner-a' }, body({ id: 'e1' }), {}),
      dedupKey('catalog', read, fan, body({ id: 'e2' }), {}),
      dedupKey('catalog', read, fan, body({ id: 'e1' }), { 'apollo-federation-include-trace': 'ftv1' }),
    ];
    expect(keys.every((key) => typeof key === 'string')).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never shares the fetches of a mutation (its follow-up reads included), a subscription or a health check', () => {
    const mutationRead = fetchOf('mutation { createBooking(input: {}) { id event { title } } }', 'query { _entities(representations: []) { __typename } }');
    const mutation = fetchOf('mutation { createBooking(input: {}) { id } }', 'mutation { createBooking(input: {}) { id } }');
    const mutationFetchOfAQuery = fetchOf('{ a }', 'mutation Sneaky { createBooking(input: {}) { id } }');
    const subscription = fetchOf('subscription { seatsChanged(eventId: "e1") { id } }', 'query { _entities(representations: []) { __typename } }');
    const health = { kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query: '{ __typename }' }, context: {} } as GraphQLDataSourceProcessOptions;
    for (const options of [mutationRead, mutation, mutationFetchOfAQuery, subscription, health]) expect(dedupKey('booking', options, anonymous, '{}', {})).toBeUndefined();
  });
});
