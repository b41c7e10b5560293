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

  /** Grows with every price change; messages carry it so consumers ignore stale ones. */
  @Property({ type: 'integer' })
  priceVersion: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
