/** A seat map kept by the gateway: the planned answer's data, shared by every hit. */
export interface StoredAnswer {
  /** Frozen all the way down (see {@link deepFreeze}). */
  data: Record<string, unknown>;
  storedAt: number;
  /** Its JSON size: what it counts against SEAT_MAP_CACHE_MB. */
  bytes: number;
}

/**
 * Freezes a JSON-shaped value and everything in it. A stored answer is handed to every request
 * that hits it; a plugin or formatter writing into it by mistake then throws (strict mode) for
 * that request instead of silently changing the map every later fan is served.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
