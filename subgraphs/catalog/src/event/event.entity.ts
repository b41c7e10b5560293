import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Venue } from '../venue/venue.entity';

export enum EventStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
  ON_SALE = 'ON_SALE',
  SOLD_OUT = 'SOLD_OUT',
  CANCELLED = 'CANCELLED',
}
registerEnumType(EventStatus, { name: 'EventStatus' });

/** Issue #15: may a booking leave a single empty seat stranded in a row? */
export enum SingleSeatRule {
  ALLOW = 'ALLOW',
  PREVENT = 'PREVENT',
}
registerEnumType(SingleSeatRule, {
  name: 'SingleSeatRule',
  description: 'Whether a booking may leave exactly one empty seat between taken seats or at the end of a row',
  valuesConfig: {
    ALLOW: { description: 'Any selection of free seats may be booked' },
    PREVENT: { description: 'createBooking refuses (LONE_SEAT) a selection that strands a single seat, unless the row leaves no other choice' },
  },
});

@ObjectType({ description: 'A concert, match or show at a venue on a date' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'event' })
@Index({ properties: ['startsAt', 'id'] })
export class Event {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  title!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @ManyToOne(() => Venue, { ref: true })
  venue!: Ref<Venue>;

  @Field(() => EventStatus)
  @Enum({ items: () => EventStatus, nativeEnumName: 'event_status' })
  status: EventStatus & Opt = EventStatus.DRAFT;

  @Field()
  @Property({ type: 'text', length: 3 })
  currency!: string;

  /** City of the venue, copied so the events list filters without a join. */
  @Property({ type: 'text' })
  @Index()
  city!: string;

  @Field(() => SingleSeatRule, { description: 'The lone-seat rule of this event (PREVENT for new events); organizers change it with setSingleSeatRule' })
  @Property({ type: 'text' })
  singleSeatRule: SingleSeatRule & Opt = SingleSeatRule.PREVENT;

  /** Grows with every price change; messages carry it so consumers ignore stale ones. */
  @Property({ type: 'integer' })
  priceVersion: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
