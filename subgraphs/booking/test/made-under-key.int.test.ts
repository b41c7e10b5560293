import { randomUUID } from 'node:crypto';
import { startBooking, type BookingHarness } from './booking-harness';
import { MadeUnderKey } from '../src/booking/made-under-key';

/** The keyed losers' question (create-booking.ts), asked many at a time, on real PostgreSQL. */
describe('MadeUnderKey (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking();
  });
  afterAll(() => h?.close());

  const bookUnderKey = (userId: string, key: string) =>
    h.sql(
      `insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at, idempotency_key)
       values (?, ?, ?, 'PENDING', 2500, 'EUR', now() + interval '10 minutes', ?)`,
      [randomUUID(), userId, randomUUID(), key],
    );
  const batches = () => h.queries.filter((q) => q.includes('json_to_recordset')).length;

  it('answers the questions of one tick with one statement, each for its own caller and key', async () => {
    const run = randomUUID();
    // Even fans have a booking under their key; the key "shared" is used by fan-0 only.
    for (let i = 0; i < 30; i += 2) await bookUnderKey(`${run}-fan-${i}`, `key-${i}`);
    await bookUnderKey(`${run}-fan-0`, 'shared');
    const made = new MadeUnderKey();
    const em = h.booking.orm.em.fork();
    const before = batches();
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => made.ask(em, `${run}-fan-${i}`, `key-${i}`)),
      made.ask(em, `${run}-fan-1`, 'shared'),
      made.ask(em, `${run}-fan-0`, 'shared'),
      made.ask(em, `${run}-fan-2`, 'key-4'),
    ]);
    expect(batches() - before).toBe(1);
    expect(answers).toEqual([...Array.from({ length: 30 }, (_, i) => i % 2 === 0), false, true, false]);
  });

  it('remembers nothing: a booking committed after a "no" is seen by the next question', async () => {
    const made = new MadeUnderKey();
    const em = h.booking.orm.em.fork();
    const user = `late-${randomUUID()}`;
    expect(await made.ask(em, user, 'retry')).toBe(false);
    await bookUnderKey(user, 'retry');
    expect(await made.ask(em, user, 'retry')).toBe(true);
  });
});
