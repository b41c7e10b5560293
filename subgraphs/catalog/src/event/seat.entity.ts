import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Section } from '../venue/venue.entity';

/**
 * One seat of one event, with its price and its position on the seat map. Copied from the
 * venue layout when the event is created, so its id names a seat *for that event*: the booking
 * subgraph's availability and the price are unambiguous per id. Written and announced through
 * this entity; read for GraphQL as a lean SeatView (seat.view.ts).
 */
@Entity({ tableName: 'seat' })
@Index({ properties: ['eventId', 'ordinal'] })
export class Seat {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => Section, { ref: true })
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
