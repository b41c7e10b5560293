import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyScalar, PageInfo } from '@eventix/subgraph-kit';
import { Booking } from './booking.entity';

export enum SeatAvailability {
  AVAILABLE = 'AVAILABLE',
  HELD = 'HELD',
  SOLD = 'SOLD',
}
registerEnumType(SeatAvailability, { name: 'SeatAvailability' });

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

export { Int };
