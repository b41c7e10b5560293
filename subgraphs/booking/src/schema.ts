import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema, DateTimeScalar } from '@eventix/subgraph-kit';
import { EventAvailabilityResolver, SeatAvailabilityResolver } from './availability/availability.resolver';
import { BookingResolver } from './booking/booking.resolver';
import { bookingReferences } from './references';
import { TicketResolver } from './ticket/ticket.resolver';

/** The booking subgraph schema; needs no database, so composition can call it. */
export function buildBookingSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [BookingResolver, TicketResolver, EventAvailabilityResolver, SeatAvailabilityResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    references: bookingReferences,
  });
}
