import { Collection, Entity, Index, ManyToOne, OneToMany, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

@ObjectType({ description: 'A place where events happen, with its seating plan' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'venue' })
export class Venue {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field()
  @Property({ type: 'text' })
  @Index()
  city!: string;

  @OneToMany(() => Section, (section) => section.venue, { orderBy: { position: 'asc' } })
  sections = new Collection<Section>(this);

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

// Plain fields only: simpleResolvers lets graphql-js read them without a resolver call (a seat map repeats its sections per seat).
@ObjectType({ description: 'A block of seats in a venue, laid out in rows', simpleResolvers: true })
@Entity({ tableName: 'section' })
export class Section {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Venue, { ref: true, deleteRule: 'cascade' })
  venue!: Ref<Venue>;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  rows!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  seatsPerRow!: number;

  /** Order of the section on the map, as given by the organizer. */
  @Property({ type: 'integer' })
  position!: number;

  /** Default price of the section's seats, in minor units. */
  @Property({ type: 'bigint', columnType: 'bigint' })
  priceMinor!: string;
}

/**
 * A seat of the venue's layout. Events copy the layout into their own `Seat` rows, because a
 * seat's price and availability belong to one event, not to the building.
 */
@Entity({ tableName: 'venue_seat' })
@Index({ properties: ['venue', 'ordinal'] })
export class VenueSeat {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Venue, { ref: true, deleteRule: 'cascade' })
  venue!: Ref<Venue>;

  @ManyToOne(() => Section, { ref: true, deleteRule: 'cascade' })
  section!: Ref<Section>;

  @Property({ type: 'text' })
  row!: string;

  @Property({ type: 'integer' })
  number!: number;

  @Property({ type: 'double' })
  x!: number;

  @Property({ type: 'double' })
  y!: number;

  @Property({ type: 'integer' })
  ordinal!: number;

  @Property({ type: 'bigint', columnType: 'bigint' })
  priceMinor!: string;
}
