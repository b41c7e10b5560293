import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { appError, badUserInput, ErrorCode } from '@eventix/errors';
import { isUuid } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import { SeatAvailability, SeatRef } from '../booking/booking.types';
import { resumeSeatChanges, type ResumedChange } from './seat-replay';
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

  @Field(() => Boolean, {
    description:
      'Only with afterVersion: true when the change log no longer reaches back to that version (or it is ahead of the event). ' +
      'This message has no seats; refetch event.seats, drop later messages at or below the refetched seatMapVersion, carry on.',
  })
  refetchRequired!: boolean;

  @Field(() => [SeatStateChange])
  // One booking's seats (MAX_SEATS_PER_BOOKING's default) per change.
  @Directive('@listSize(assumedSize: 10)')
  seats!: SeatStateChange[];
}

@Resolver()
export class SeatAvailabilityResolver {
  @Subscription(() => SeatAvailabilityChange, {
    description:
      'Live seat changes of one event (held, sold, released). With afterVersion: first every change after that seat map version ' +
      '(from a change log of the last SEAT_CHANGE_LOG_VERSIONS versions, default 1,000), then live, no gap, no duplicate; ' +
      'if the log no longer reaches back, the first message has refetchRequired: true.',
    // An unknown event is refused up front rather than left as a silent, endless stream.
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { eventId: string; afterVersion?: number | null }, BookingContext>) => {
      const eventId = String(args.eventId).toLowerCase();
      // Not an id at all can never become an event: a final refusal, as createBooking gives.
      if (!isUuid(eventId)) throw badUserInput('eventId', 'must be an event id');
      const [known] = await context.em.execute<Array<{ event_id: string }>>(`select event_id from event_projection where event_id = ?`, [eventId]);
      // Like createBooking: booking may simply not have heard of a just-published event yet, so
      // "not yet, retry" rather than a final NOT_FOUND (see docs/architecture.md, decision 5).
      if (!known) throw appError(ErrorCode.SERVICE_UNAVAILABLE, `Event ${eventId} is not open for booking yet; try again in a few seconds`, { retryable: true, retryAfterSeconds: 2 });
      const live = context.fanout.subscribe(SEAT_AVAILABILITY, known.event_id);
      if (args.afterVersion === undefined || args.afterVersion === null) return live;
      if (args.afterVersion < 0) throw badUserInput('afterVersion', 'must be a seat map version (0 or more)');
      return resumeSeatChanges(context.em, known.event_id, args.afterVersion, live);
    },
  })
  seatAvailabilityChanged(
    @Root() change: ResumedChange,
    @Arg('eventId', () => ID) _eventId: string,
    @Ctx() _ctx: BookingContext,
    @Arg('afterVersion', () => Int, { nullable: true, description: 'Resume: replay every change after this seat map version first' }) _afterVersion?: number | null,
  ): SeatAvailabilityChange {
    return {
      eventId: change.eventId,
      seatMapVersion: change.seatMapVersion,
      refetchRequired: change.refetchRequired ?? false,
      seats: change.seats.map((s) => ({ seat: { id: s.seatId }, availability: s.availability })),
    };
  }
}
