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
