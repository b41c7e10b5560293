import { decodeCursor, decodeKeysetCursor, encodeCursor, encodeKeysetCursor } from './cursor';

const invalid = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }) });

describe('keyset cursors', () => {
  it('round-trips a (timestamp, id) position', () => {
    const position = { at: new Date('2026-05-01T19:30:00.000Z'), id: '00000000-0000-4000-8000-000000000001' };
    expect(decodeKeysetCursor(encodeKeysetCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64 json', 'not a cursor'],
    ['the wrong arity', encodeCursor(['2026-05-01T19:30:00.000Z'])],
    ['a first value that is no time', encodeCursor(['yesterday', 'x'])],
    ['an empty string', ''],
  ])('refuses %s as BAD_USER_INPUT on `after`', (_what, cursor) => {
    expect(() => decodeKeysetCursor(cursor)).toThrow(invalid);
  });

  it('decodes the generic tuple only at the expected arity', () => {
    expect(decodeCursor(encodeCursor(['a', 1]), 2)).toEqual(['a', 1]);
    expect(() => decodeCursor(encodeCursor(['a', 1]), 3)).toThrow(invalid);
    expect(() => decodeCursor(encodeCursor([{ nested: true }] as never), 1)).toThrow(invalid);
  });
});
