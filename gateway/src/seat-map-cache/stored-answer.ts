import type { FormattedExecutionResult } from 'graphql';

/** A seat map kept by the gateway: the planned answer's data, shared by every hit. */
export interface StoredAnswer {
  /** Frozen all the way down (see {@link deepFreeze}). */
  data: Record<string, unknown>;
  storedAt: number;
  /** What it counts against SEAT_MAP_CACHE_MB: its JSON text and the object, about the same size again. */
  bytes: number;
}

/** The JSON text of each stored answer's data, made once when it was stored. */
const storedText = new WeakMap<object, string>();

/**
 * Keeps `data` (a planned answer without errors) for every later hit: frozen, with its JSON
 * text made once. An answer is handed to every request that hits it; a plugin or formatter
 * writing into it by mistake then throws (strict mode) for that request instead of silently
 * changing the map every later fan is served — and the text, made from the frozen object, can
 * never differ from it.
 */
export function storeAnswer(data: Record<string, unknown>, now = Date.now()): StoredAnswer {
  const frozen = deepFreeze(data);
  const text = JSON.stringify(frozen);
  storedText.set(frozen, text);
  return { data: frozen, storedAt: now, bytes: 2 * Buffer.byteLength(text) };
}

/**
 * Apollo Server's `stringifyResult`: the same text as its default (`JSON.stringify` of the
 * result, then a newline), but a stored answer's data is written as the text made when it was
 * stored rather than serialized again — at 20,000 seats ~3.8 MB and ~28 ms per hit on a slow
 * machine (#16 target 4). Any other result is serialized as before.
 */
export function stringifyResult(result: FormattedExecutionResult): string {
  const text = result.data ? storedText.get(result.data) : undefined;
  if (text === undefined) return `${JSON.stringify(result)}\n`;
  // JSON.stringify of a plain object: its own keys in order, undefined values left out.
  const members: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined) continue;
    members.push(`${JSON.stringify(key)}:${key === 'data' ? text : JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}\n`;
}

/** Freezes a JSON-shaped value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
