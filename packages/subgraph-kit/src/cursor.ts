import { badUserInput } from '@eventix/errors';

/**
 * Opaque pagination cursors: base64url of a JSON tuple. Clients must not build them; a cursor
 * that does not decode to the expected shape is BAD_USER_INPUT, never a 500.
 */
export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return values as Array<string | number>;
    }
  } catch {
    // fall through to the user error below
  }
  throw invalidCursor();
}

const invalidCursor = () => badUserInput('after', 'invalid cursor');

/** A position in a list ordered by (timestamp, id): the id breaks ties between equal times. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

/** The cursor of a row in a (timestamp, id) keyset. */
export const encodeKeysetCursor = (position: KeysetPosition): string => encodeCursor([position.at.toISOString(), position.id]);

/**
 * Reads a (timestamp, id) cursor. A well-formed tuple whose first value is not a time is as
 * invalid as any other malformed cursor: BAD_USER_INPUT, never an Invalid Date in a query.
 */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const [at, id] = decodeCursor(cursor, 2);
  const time = new Date(String(at));
  if (Number.isNaN(time.getTime())) throw invalidCursor();
  return { at: time, id: String(id) };
}
