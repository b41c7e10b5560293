import { Counter, register } from 'prom-client';

export const CREATE_BOOKING_ROUTE_METRIC = 'eventix_booking_create_requests_total';

/** Where a createBooking request was decided: by the database, or from a request in flight (in-flight-holds.ts). */
export type CreateBookingRoute = 'database' | 'in_flight';

/**
 * Looked up on each use (as @eventix/events' counters): a test or server that clears prom-client's
 * register gets a fresh counter instead of a detached one.
 */
export function countCreateBookingRoute(route: CreateBookingRoute): void {
  const existing = register.getSingleMetric(CREATE_BOOKING_ROUTE_METRIC) as Counter<'route'> | undefined;
  const counter =
    existing ??
    new Counter({
      name: CREATE_BOOKING_ROUTE_METRIC,
      help: 'createBooking requests by where they were decided: the database, or from a request for the same seats in flight in this process',
      labelNames: ['route'] as const,
      registers: [register],
    });
  counter.inc({ route });
}
