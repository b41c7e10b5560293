/**
 * createBooking requests of this process that are still running, by the seats they ask for.
 *
 * When a seat goes on sale many buyers ask for it in the same instant. The database decides
 * who gets it (create-booking.ts), but each loser that goes there costs two transactions and a
 * pooled connection while the winner's is still running: under a burst of 64 buyers it is the
 * losers, queueing for connections and locks, not the winner, that set how long the burst
 * takes. So a request whose seats a request of this process is already trying for waits for
 * that one and is answered from its outcome when that says everything: it held every one of this
 * request's seats (a hold it made is held still when its result arrives: create-booking.ts,
 * madeHold), or found every one of them held or sold by others, at a moment after this request
 * arrived. The seats were taken while this request was running, so SEAT_UNAVAILABLE is the
 * answer the database would have given at that moment — unless this request carries an
 * idempotency key under which its caller already has a booking (a retry: the database replays
 * that booking; create-booking.ts asks before answering). Anything else (it failed otherwise,
 * took or saw only some of the seats, replayed an idempotency key, or looked before this
 * request arrived — a seat released in between must not be refused) says nothing final: the
 * request looks again, and the first to find nobody in flight goes to the database, the
 * others waiting for it in turn. The database stays the only arbiter: other processes,
 * best-available holds and expiries are all decided there.
 */

/** What a request in flight saw: seats taken (by it or by others), and a moment they were taken at or after. */
export interface Observation {
  seats: ReadonlySet<string>;
  /**
   * performance.now() at or before a moment every one of `seats` was taken: before the statement
   * that found them taken by others was sent; for seats the request held itself, when it learned
   * its hold was made (create-booking.ts, madeHold).
   */
  since: number;
}

interface InFlight {
  userId: string;
  idempotencyKey: string | undefined;
  outcome: Promise<Observation>;
}

/**
 * A registered request's hold on the map. While it waits for seats another transaction holds it
 * is trying for none of its seats, so it withdraws: a buyer of one of its free seats goes to the
 * database instead of waiting for a request that may wait for others until the lock timeout.
 */
export interface TrackedRequest {
  /** Later requests for its seats no longer wait for it (it waits on seats others hold). */
  withdraw(): void;
  /** It tries for its seats again: later requests for the seats no one else is in flight on wait for it. */
  rejoin(): void;
  /** What it saw, once it has ended; it leaves the map then. Called once. */
  settle(outcome: Promise<Observation>): void;
}

/** What a request that took and found no seats tells those waiting on it: nothing. */
export const NOTHING: Observation = { seats: new Set(), since: -Infinity };

export class InFlightHolds {
  private readonly bySeat = new Map<string, InFlight>();

  /**
   * The requests of this process in flight on any of the seats, other than a duplicate of the
   * caller's own keyed request (that one must reach the database to replay the booking).
   */
  overlapping(eventId: string, seatIds: readonly string[], userId: string, idempotencyKey: string | undefined): Array<Promise<Observation>> {
    const found = new Set<InFlight>();
    for (const seatId of seatIds) {
      const request = this.bySeat.get(seatKey(eventId, seatId));
      if (request && !(idempotencyKey && request.userId === userId && request.idempotencyKey === idempotencyKey)) found.add(request);
    }
    return [...found].map((r) => r.outcome);
  }

  /**
   * Registers a request for its seats until the outcome it is settled with settles with what it
   * saw (a rejection counts as nothing seen); later requests for those seats wait for it
   * meanwhile — except while it has withdrawn.
   */
  track(eventId: string, seatIds: readonly string[], userId: string, idempotencyKey: string | undefined): TrackedRequest {
    let settle!: (outcome: Promise<Observation>) => void;
    const outcome = new Promise<Observation>((resolve) => (settle = (seen) => resolve(seen.catch(() => NOTHING))));
    const request: InFlight = { userId, idempotencyKey, outcome };
    const keys = seatIds.map((id) => seatKey(eventId, id));
    let ended = false;
    const withdraw = () => {
      for (const key of keys) if (this.bySeat.get(key) === request) this.bySeat.delete(key);
    };
    for (const key of keys) this.bySeat.set(key, request);
    void outcome.then(() => {
      ended = true;
      withdraw();
    });
    return {
      withdraw,
      // A seat another request took meanwhile stays that one's: later buyers wait for it instead.
      rejoin: () => {
        if (!ended) for (const key of keys) if (!this.bySeat.has(key)) this.bySeat.set(key, request);
      },
      settle,
    };
  }

  /** Seats with a request in flight. */
  get size(): number {
    return this.bySeat.size;
  }
}

/**
 * Waits for the given requests, at most until `deadline` (epoch ms): 'taken' when, together,
 * they saw every one of `seatIds` taken after `arrivedAt` (performance.now()), 'unknown' when
 * not, 'timeout' when the deadline came first.
 */
export async function seenByEarlier(earlier: Array<Promise<Observation>>, seatIds: readonly string[], arrivedAt: number, deadline: number): Promise<'taken' | 'unknown' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
  try {
    const seen = await Promise.race([Promise.all(earlier), timeout]);
    if (seen === 'timeout') return 'timeout';
    const fresh = seen.filter((o) => o.since >= arrivedAt);
    return seatIds.every((id) => fresh.some((o) => o.seats.has(id))) ? 'taken' : 'unknown';
  } finally {
    clearTimeout(timer);
  }
}

const seatKey = (eventId: string, seatId: string) => `${eventId}/${seatId}`;
