import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema, DateTimeScalar } from '@eventix/subgraph-kit';
import { EventAvailabilityResolver, SeatAvailabilityResolver } from './availability/availability.resolver';
import { BookingResolver } from './booking/booking.resolver';
import { BestAvailableResolver } from './best-available/best-available.resolver';
import { bookingReferences } from './references';
import { batchSeatEntities } from './availability/seat-entities';
import { TicketResolver } from './ticket/ticket.resolver';
import { SeatAvailabilityResolver as LiveSeatResolver } from './live/seat-availability.resolver';
import { HoldExpiringResolver } from './live/hold-expiring.resolver';
import { InProcessSeatFanout, type SeatFanout } from './live/seat-fanout';

/**
 * The booking subgraph schema; needs no database, so composition can call it. `fanout` feeds
 * the seat subscriptions (type-graphql takes it as its PubSub); composition only prints SDL.
 */
export function buildBookingSchema(fanout: SeatFanout = new InProcessSeatFanout()): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [BookingResolver, BestAvailableResolver, TicketResolver, EventAvailabilityResolver, SeatAvailabilityResolver, LiveSeatResolver, HoldExpiringResolver],
    pubSub: fanout,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    references: bookingReferences,
  }).then(batchSeatEntities);
}
