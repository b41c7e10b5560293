import type { BaseContext, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { RESPONSE_CACHE_KEY_PREFIX } from './seat-map-cache';

/**
 * The seat-map cache ends a flight whose answer was not stored (errors) by the key the
 * response-cache plugin hands its cache: `RESPONSE_CACHE_KEY_PREFIX` + the generated key. Were the
 * plugin to change its prefix, waiters of such a flight would never wake; this pins it.
 */
describe('@apollo/server-plugin-response-cache, as the seat-map cache relies on it', () => {
  it('reads its cache under RESPONSE_CACHE_KEY_PREFIX followed by the key generateCacheKey made', async () => {
    const read: string[] = [];
    const cache: KeyValueCache<string> = { get: (key) => (read.push(key), Promise.resolve(undefined)), set: () => Promise.resolve(), delete: () => Promise.resolve(true) };
    const plugin = responseCachePlugin<BaseContext>({ cache, generateCacheKey: () => 'the-key' });
    const requestContext = {
      operation: { operation: 'query' },
      metrics: {},
      source: '{ event(id: "x") { id } }',
      request: { variables: {} },
    } as unknown as GraphQLRequestContext<BaseContext>;
    const listener = (await plugin.requestDidStart!(requestContext)) as GraphQLRequestListener<BaseContext>;
    expect(await listener.responseForOperation!(requestContext as never)).toBeNull();
    expect(read).toEqual([`${RESPONSE_CACHE_KEY_PREFIX}the-key`]);
  });
});
