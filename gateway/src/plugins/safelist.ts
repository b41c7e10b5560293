import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { GatewayContext } from '../context';
import { partnerIdOf, safelistDecision, type Partners, type SafelistDecision } from '../partners';
import { unknownId } from '../partners/safelist';

/** The safelist's decision for a GraphQL request (HTTP body or graphql-ws subscribe payload). */
export function decideRequest(partners: Partners, context: GatewayContext, request: Pick<GraphQLRequest, 'query' | 'extensions'>): SafelistDecision & { partnerId?: string } {
  const partnerId = partnerIdOf(context.caller);
  const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  const hash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
  const query = typeof request.query === 'string' ? request.query : undefined;
  const decision = safelistDecision({ query, hash }, { partnerId, partner: partnerId === undefined ? undefined : partners.partner(partnerId) }, partners.manifest(), partners.enforce);
  return { ...decision, partnerId };
}

/** Logs and counts a `log` partner's unlisted operation (so it can move to `enforce` once this stays at zero). */
export function reportUnlisted(partners: Partners, partnerId: string, operationName: string | null | undefined, log: (message: string) => void): void {
  partners.unlisted.inc({ partner: partnerId });
  log(`partner ${partnerId} (log mode) ran an operation outside the manifest: ${operationName ?? 'anonymous'}`);
}

/**
 * A refused request must reach no parser, validation error or APQ registration: its text
 * (which could probe the schema) and persistedQuery extension are replaced by a trivial
 * operation, and the refusal is thrown where Apollo turns errors into responses, so the access
 * log, the metrics and formatError see it like any other refusal.
 */
function neutralize(request: GraphQLRequest): void {
  request.query = '{ __typename }';
  request.operationName = undefined;
  request.variables = undefined;
  if (request.extensions) delete request.extensions.persistedQuery;
}

/**
 * Partners' safelist over HTTP. Decided in requestDidStart, before Apollo's APQ handling reads
 * or registers anything: a manifest id runs its body (ManifestBackedCache serves it), an
 * enforced partner's free text or unknown id is refused, a `log` partner's is counted.
 * Goes before every plugin with a didResolveOperation hook, so its refusal is the one reported.
 */
export function useSafelist(partners: Partners, log: (message: string) => void): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const decision = decideRequest(partners, contextValue, request);
      if (decision.action === 'run' && decision.unlisted) reportUnlisted(partners, decision.partnerId!, request.operationName, log);
      if (decision.action !== 'refuse') return;
      const error: GraphQLError = decision.error;
      neutralize(request);
      return {
        async didResolveOperation() {
          throw error;
        },
      };
    },
  };
}

/**
 * The safelist over graphql-ws, for its `onSubscribe`: graphql-ws requires a `query` string, so
 * a partner subscribing by id sends `"query": ""` with extensions.persistedQuery. Returns the
 * payload to check and run (a manifest id's body as its query), or the refusal. There is no APQ
 * on the socket: an id outside the manifest is PERSISTED_QUERY_NOT_FOUND for every caller.
 */
export function safelistSubscribe(partners: Partners, log: (message: string) => void): (context: GatewayContext | undefined, payload: SubscribePayload) => SubscribePayload | readonly GraphQLError[] {
  return (context, payload) => {
    if (!context) return payload; // not authenticated: connection-auth closes such sockets
    const query = payload.query.trim() ? payload.query : undefined;
    const decision = decideRequest(partners, context, { query, extensions: payload.extensions ?? undefined });
    if (decision.action === 'listed') return { ...payload, query: decision.operation.body, operationName: decision.operation.name };
    if (decision.action === 'refuse') return [decision.error];
    if (query === undefined) return [unknownId()];
    if (decision.unlisted) reportUnlisted(partners, decision.partnerId!, payload.operationName, log);
    return payload;
  };
}
