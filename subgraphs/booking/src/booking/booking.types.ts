import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyScalar, PageInfo } from '@eventix/subgraph-kit';
import { Booking } from './booking.entity';

export enum SeatAvailability {
  AVAILABLE = 'AVAILABLE',
  HELD = 'HELD',
  SOLD = 'SOLD',
  /** Not bookable here: the event is not (yet) open for booking, or it was cancelled. */
  NOT_ON_SALE = 'NOT_ON_SALE',
}
registerEnumType(SeatAvailability, {
  name: 'SeatAvailability',
  valuesConfig: {
    NOT_ON_SALE: { description: 'Not bookable: the event is not open for booking yet (just published: retry shortly), was cancelled, or has started (sales close at the start)' },
  },
});

/** The catalog's Event, as booking adds availability to it. */
@ObjectType('Event')
@Directive('@key(fields: "id")')
export class EventRef {
  @Field(() => ID)
  id!: string;
}

/** The catalog's Seat, as booking adds availability to it. */
@ObjectType('Seat')
@Directive('@key(fields: "id")')
export class SeatRef {
  @Field(() => ID)
  id!: string;

  /** Which event's availability to report; set when the seat is reached through a booking. */
  eventId?: string;
}

@ObjectType()
export class BookingItemView {
  @Field(() => SeatRef)
  seat!: SeatRef;

  @Field(() => MoneyScalar)
  price!: string;
}

@ObjectType()
export class BookingEdge {
  @Field()
  cursor!: string;

  @Field(() => Booking)
  node!: Booking;
}

@ObjectType()
export class BookingConnection {
  @Field(() => [BookingEdge])
  edges!: BookingEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class CreateBookingInput {
  @Field(() => ID)
  eventId!: string;

  @Field(() => [ID], { description: '1..MAX_SEATS_PER_BOOKING (default 10) seats of the event, no duplicates' })
  seatIds!: string[];

  @Field(() => String, { nullable: true, description: 'Same key from the same user: the same booking, no second hold' })
  idempotencyKey?: string | null;
}

