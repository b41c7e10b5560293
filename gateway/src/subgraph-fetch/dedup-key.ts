import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// Not re-exported by the package's index; the enum's runtime values live here.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { Caller } from '@eventix/subgraph-kit';

const READ_OPERATION = /^\s*(query\b|\{)/;

/** A caller as the gateway knows it: a partner's client id travels with it. */
type KnownCaller = Caller & { clientId?: string };

/**
 * Who a subgraph answers for: everything the internal credential tells it (subject,
 * permissions, anonymous or not) plus the partner's client id. All anonymous callers share one
 * identity; each signed-in user (and each partner) has its own, so one user's data is never
 * handed to another.
 */
export const callerIdentity = (caller: KnownCaller) => JSON.stringify([caller.userId ?? null, caller.permissions, caller.clientId ?? null]);

/**
 * The key under which concurrent identical subgraph fetches may share one request, or undefined
 * when this fetch must go alone. Only reads made for a query operation share: a mutation's
 * fetches (its follow-up reads included, which must see its own writes) and a subscription's
 * never do, nor health checks. Within the key: the subgraph, the caller's identity, the exact
 * request body (query text, variables, operation name) and any header Apollo asked to forward
 * (e.g. a trace request, which changes the answer). Not in it: the request id and trace
 * context (they only label logs and spans) and the credential itself (derived from the identity).
 */
export function dedupKey(subgraph: string, options: GraphQLDataSourceProcessOptions, caller: KnownCaller, body: string, forwarded: Record<string, string>): string | undefined {
  if (options.kind !== GraphQLDataSourceRequestKind.INCOMING_OPERATION) return undefined;
  if (options.incomingRequestContext.operation?.operation !== 'query') return undefined;
  // The fetch itself must be a read too. The planner's document node is only there with
  // exposeDocumentNodeInFetchNode; its printed text (query ... or { ... }) always is.
  if (!READ_OPERATION.test(options.request.query ?? '')) return undefined;
  const extra = Object.keys(forwarded).length ? JSON.stringify(forwarded) : '';
  return `${subgraph}\n${callerIdentity(caller)}\n${extra}\n${body}`;
}
