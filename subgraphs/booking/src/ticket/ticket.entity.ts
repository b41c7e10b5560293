import { Entity, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Booking } from '../booking/booking.entity';

@ObjectType({ description: 'Entry for one seat of a confirmed booking' })
@Entity({ tableName: 'ticket' })
export class Ticket {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Booking, { ref: true, deleteRule: 'cascade' })
  booking!: Ref<Booking>;

  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'uuid' })
  seatId!: string;

  @Field({ description: 'Signed, verifiable offline at the door (the QR content)' })
  @Property({ type: 'text', unique: true })
  code!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  checkedInAt?: Date;

  @Property({ type: 'text', nullable: true })
  checkedInBy?: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
