import { badUserInput, notFound } from '@eventix/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id Eventix hands out is a UUID. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * An id argument as the services store and announce it. A string that is not a UUID names
 * nothing, so it is NOT_FOUND like an unknown id (and never reaches PostgreSQL's uuid parser);
 * a UUID in upper case is the same entity, lower-cased so messages and Kafka keys name it one way.
 */
export function entityId(what: string, id: string): string {
  if (!isUuid(id)) throw notFound(what, id);
  return id.toLowerCase();
}

/**
 * Text PostgreSQL can store: a NUL character is refused by its text type, so it is refused here
 * first as BAD_USER_INPUT naming the field, instead of failing the INSERT.
 */
export function storableText(field: string, value: string): string {
  if (value.includes('\u0000')) throw badUserInput(field, 'must not contain NUL characters');
  return value;
}
