import type { FormattedExecutionResult } from 'graphql';
import { deepFreeze, storeAnswer, stringifyResult } from './stored-answer';

/** What Apollo Server writes by default: its field order (errors, data, extensions), JSON.stringify, a newline. */
const apolloDefault = (result: FormattedExecutionResult) => `${JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions })}\n`;
const ordered = (result: FormattedExecutionResult): FormattedExecutionResult => ({ errors: result.errors, data: result.data, extensions: result.extensions });

describe('stored answers (a seat map every hit shares)', () => {
  const map = () => ({ event: { id: 'e1', title: 'Ünïcode "quoted" \u2603', seats: [{ id: 's1', section: { name: 'A' }, price: '10.00', availability: null }] } });

  it('freezes the answer all the way down, so a stray write throws instead of changing what later fans see', () => {
    const { data } = storeAnswer(map());
    const seat = (data as ReturnType<typeof map>).event.seats[0];
    expect(() => {
      (seat.section as { name: string }).name = 'B';
    }).toThrow(TypeError);
    expect(() => (data as ReturnType<typeof map>).event.seats.push(seat)).toThrow(TypeError);
    expect(seat.section.name).toBe('A');
  });

  it('counts its text and its object against the cache size', () => {
    const stored = storeAnswer(map());
    expect(stored.bytes).toBe(2 * Buffer.byteLength(JSON.stringify(map())));
  });

  it('is written as exactly the text Apollo would write, from the text made when it was stored', () => {
    const { data } = storeAnswer(map());
    for (const result of [{ data }, { data, extensions: { cost: { estimated: 3, actual: 2 } } }, { extensions: { cost: { estimated: 1 } }, data }]) {
      const fromStore = stringifyResult(ordered(result));
      expect(fromStore).toBe(apolloDefault(result));
      expect(JSON.parse(fromStore)).toEqual({ ...result, data: map() });
    }
  });

  it('serializes any other result as Apollo does', () => {
    const results: FormattedExecutionResult[] = [{ data: map() }, { errors: [{ message: 'no', extensions: { code: 'NOT_FOUND' } }], data: null }, { errors: [{ message: 'x' }] }];
    for (const result of results) expect(stringifyResult(ordered(result))).toBe(apolloDefault(result));
  });

  it('deepFreeze leaves scalars and null alone', () => {
    expect(deepFreeze(null)).toBeNull();
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze({ a: null, b: [1, 'x'] })).toEqual({ a: null, b: [1, 'x'] });
  });
});
