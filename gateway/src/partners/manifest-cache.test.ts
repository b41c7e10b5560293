import { InMemoryLRUCache, PrefixingKeyValueCache } from '@apollo/utils.keyvaluecache';
import { ManifestBackedCache } from './manifest-cache';
import type { ManifestOperation } from './manifest';

describe('ManifestBackedCache', () => {
  const op: ManifestOperation = { id: 'a'.repeat(64), name: 'Listed', type: 'query', body: 'query Listed { __typename }' };
  let manifest = new Map([[op.id, op]]);

  it("answers Apollo's apq:-prefixed lookups of manifest ids from the manifest, other keys from the APQ cache", async () => {
    const apq = new InMemoryLRUCache<string>();
    // Apollo Server wraps the configured cache like this (APQ_CACHE_PREFIX).
    const cache = new PrefixingKeyValueCache(new ManifestBackedCache(() => manifest, apq), 'apq:');
    expect(await cache.get(op.id)).toBe(op.body);
    expect(await cache.get('b'.repeat(64))).toBeUndefined();
    await cache.set('b'.repeat(64), '{ __typename }');
    expect(await apq.get(`apq:${'b'.repeat(64)}`)).toBe('{ __typename }');
    expect(await cache.get('b'.repeat(64))).toBe('{ __typename }');
    manifest = new Map(); // a reload that drops the operation
    expect(await cache.get(op.id)).toBeUndefined();
  });
});
