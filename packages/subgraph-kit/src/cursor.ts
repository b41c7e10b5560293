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
  throw badUserInput('after', 'invalid cursor');
}
