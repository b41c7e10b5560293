import { deepFreeze } from './stored-answer';

describe('deepFreeze (a stored seat map every hit shares)', () => {
  it('freezes the answer all the way down, so a stray write throws instead of changing what later fans see', () => {
    const data = { event: { id: 'e1', seats: [{ id: 's1', section: { name: 'A' }, price: '10.00' }] } };
    expect(deepFreeze(data)).toBe(data);
    expect(() => {
      (data.event.seats[0].section as { name: string }).name = 'B';
    }).toThrow(TypeError);
    expect(() => data.event.seats.push({ id: 's2', section: { name: 'A' }, price: '1.00' })).toThrow(TypeError);
    expect(data.event.seats[0].section.name).toBe('A');
    expect(JSON.stringify(data)).toBe('{"event":{"id":"e1","seats":[{"id":"s1","section":{"name":"A"},"price":"10.00"}]}}');
  });

  it('leaves scalars and null alone', () => {
    expect(deepFreeze(null)).toBeNull();
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze({ a: null, b: [1, 'x'] })).toEqual({ a: null, b: [1, 'x'] });
  });
});
