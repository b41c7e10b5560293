import { registeredCounter } from '@eventix/events';

export const CREATE_BOOKING_ROUTE_METRIC = 'eventix_booking_create_requests_total';

/** Where a createBooking request was decided: by the database, or from a request in flight (in-flight-holds.ts). */
export type CreateBookingRoute = 'database' | 'in_flight';

/** The counter of createBooking requests by route. */
export function createBookingRoutes() {
  return registeredCounter(
    CREATE_BOOKING_ROUTE_METRIC,
    'createBooking requests by where they were decided: the database, or from a request for the same seats in flight in this process',
    ['route'] as const,
  );
}

export function countCreateBookingRoute(route: CreateBookingRoute): void {
  createBookingRoutes().inc({ route });
}

export const ONE_STATEMENT_HOLD_METRIC = 'eventix_booking_one_statement_holds_total';

/**
 * What became of createBooking's one-statement try (one-statement-hold.ts): it made the hold,
 * it wrote nothing and the transaction decided, or it was not tried (the event has the lone-seat
 * rule, which the statement never decides).
 */
export type OneStatementOutcome = 'made' | 'declined' | 'skipped';

export function oneStatementHolds() {
  return registeredCounter(
    ONE_STATEMENT_HOLD_METRIC,
    "createBooking's one-statement hold by outcome: made the hold, declined (the transaction decided), or skipped (an event with the lone-seat rule)",
    ['outcome'] as const,
  );
}

export function countOneStatementHold(outcome: OneStatementOutcome): void {
  oneStatementHolds().inc({ outcome });
}
