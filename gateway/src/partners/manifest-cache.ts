import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Manifest } from './manifest';

/** Apollo Server prefixes its APQ cache keys with this (requestPipeline's APQ_CACHE_PREFIX). */
const APQ_PREFIX = 'apq:';

/**
 * Apollo Server's APQ cache with the manifest in front: a manifest id answers with its body
 * (read-only, never stored), anything else goes to the APQ cache (Redis, or memory). Whether a
 * caller may use an id that is not in the manifest is the safelist plugin's decision, taken
 * before Apollo reads or registers anything.
 */
export class ManifestBackedCache implements KeyValueCache<string> {
  constructor(
    private readonly manifest: () => Manifest,
    private readonly apq: KeyValueCache<string>,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const id = key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key;
    return this.manifest().get(id)?.body ?? this.apq.get(key);
  }

  set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.apq.set(key, value, options);
  }

  delete(key: string): Promise<boolean | void> {
    return this.apq.delete(key);
  }
}
