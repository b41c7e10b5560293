import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { appError, ErrorCode } from '@eventix/errors';
import { isUuid } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import { SeatAvailability, SeatRef } from '../booking/booking.types';
import type { SeatAvailabilityChangeData } from './seat-change';
import { SEAT_AVAILABILITY } from './seat-fanout';

@ObjectType()
export class SeatStateChange {
  @Field(() => SeatRef)
  seat!: SeatRef;

  @Field(() => SeatAvailability)
  availability!: SeatAvailability;
}

@ObjectType({ description: 'Seats of one event that changed, with the seat map version after the change' })
export class SeatAvailabilityChange {
  @Field(() => ID)
  eventId!: string;

  @Field(() => Int, { description: 'A client seeing a gap refetches event.seats' })
  seatMapVersion!: number;

  @Field(() => [SeatStateChange])
  // One booking's seats (MAX_SEATS_PER_BOOKING's default) per change.
  @Directive('@listSize(assumedSize: 10)')
  seats!: SeatStateChange[];
}

@Resolver()
export class SeatAvailabilityResolver {
  @Subscription(() => SeatAvailabilityChange, {
    description: 'Live seat changes of one event (held, sold, released)',
    // An unknown event is refused up front rather than left as a silent, endless stream.
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { eventId: string }, BookingContext>) => {
      const eventId = String(args.eventId).toLowerCase();
      const [known] = isUuid(eventId)
        ? await context.em.execute<Array<{ event_id: string }>>(`select event_id from event_projection where event_id = ?`, [eventId])
        : [];
      // Like createBooking: booking may simply not have heard of a just-published event yet, so
      // "not yet, retry" rather than a final NOT_FOUND (see docs/architecture.md, decision 5).
      if (!known) throw appError(ErrorCode.SERVICE_UNAVAILABLE, `Event ${eventId} is not open for booking yet; try again in a few seconds`, { retryable: true, retryAfterSeconds: 2 });
      return context.fanout.subscribe(SEAT_AVAILABILITY, known.event_id);
    },
  })
  seatAvailabilityChanged(@Root() change: SeatAvailabilityChangeData, @Arg('eventId', () => ID) _eventId: string, @Ctx() _ctx: BookingContext): SeatAvailabilityChange {
    return {
      eventId: change.eventId,
      seatMapVersion: change.seatMapVersion,
      seats: change.seats.map((s) => ({ seat: { id: s.seatId }, availability: s.availability })),
    };
  }
}
