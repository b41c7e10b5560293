import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Section } from '../venue/venue.entity';

/**
 * One seat of one event, with its price and its position on the seat map. Copied from the
 * venue layout when the event is created, so its id names a seat *for that event*: the booking
 * subgraph's availability and the price are unambiguous per id.
 */
@ObjectType({ description: 'One seat of an event, with its price and its position on the seat map' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'seat' })
@Index({ properties: ['eventId', 'ordinal'] })
export class Seat {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => Section, { ref: true })
  section!: Ref<Section>;

  @Field()
  @Property({ type: 'text' })
  row!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => Float)
  @Property({ type: 'double' })
  x!: number;

  @Field(() => Float)
  @Property({ type: 'double' })
  y!: number;

  @Property({ type: 'integer' })
  ordinal!: number;

  @Property({ type: 'bigint', columnType: 'bigint' })
  priceMinor!: string;
}
