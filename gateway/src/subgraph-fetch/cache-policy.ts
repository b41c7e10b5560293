import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';

/**
 * What RemoteGraphQLDataSource did with a subgraph's Cache-Control header, kept now that the
 * data source posts on its own: the response's overall cache policy may be no more permissive
 * than any subgraph answer it was built from (no header: not cacheable).
 */
export function restrictCachePolicy(requestContext: GatewayGraphQLRequestContext, cacheControl: string | undefined): void {
  const policy = requestContext.overallCachePolicy;
  if (!policy || !('restrict' in policy)) return;
  const directives = new Map<string, string | true>();
  for (const part of (cacheControl ?? '').split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name) directives.set(name, value ?? true);
  }
  const maxAge = directives.get('max-age');
  const scope = directives.has('private') ? 'PRIVATE' : directives.has('public') ? 'PUBLIC' : undefined;
  policy.restrict({ maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0, ...(scope ? { scope } : {}) });
}
