import { Collection, Entity, Enum, ManyToOne, OneToMany, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

export enum BookingStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(BookingStatus, { name: 'BookingStatus' });

export enum CancellationReason {
  USER = 'USER',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  EXPIRED = 'EXPIRED',
  EVENT_CANCELLED = 'EVENT_CANCELLED',
}
registerEnumType(CancellationReason, { name: 'CancellationReason' });

@ObjectType({ description: "A fan's hold on seats, then their purchase" })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'booking' })
export class Booking {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'uuid' })
  eventId!: string;

  @Field(() => BookingStatus)
  @Enum({ items: () => BookingStatus, type: 'text' })
  status: BookingStatus & Opt = BookingStatus.PENDING;

  @Property({ type: 'bigint', columnType: 'bigint' })
  totalMinor!: string;

  @Field()
  @Property({ type: 'text', length: 3 })
  currency!: string;

  @Field(() => Date, {
    description:
      'While PENDING: when the hold ends and its seats go back on sale unless paid (a payment in progress extends it). ' +
      'Kept afterwards as the hold\'s last end: a CONFIRMED booking does not expire.',
  })
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string;

  @Field(() => String, { nullable: true, description: 'The reference fans and the box office quote (EVX-XXXX-XXXX), set when the booking is confirmed' })
  @Property({ type: 'text', nullable: true })
  ticketReference?: string;

  /** The payment that confirmed this booking. */
  @Property({ type: 'text', nullable: true })
  paymentId?: string;

  @Field(() => CancellationReason, { nullable: true, description: 'Why a CANCELLED or EXPIRED booking ended; null while it is live' })
  @Enum({ items: () => CancellationReason, type: 'text', nullable: true })
  cancellationReason?: CancellationReason;

  @OneToMany(() => BookingItem, (item) => item.booking, { orderBy: { seatId: 'asc' } })
  items = new Collection<BookingItem>(this);

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

@Entity({ tableName: 'booking_item' })
export class BookingItem {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Booking, { ref: true, deleteRule: 'cascade' })
  booking!: Ref<Booking>;

  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'uuid' })
  seatId!: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  priceMinor!: string;

  /** Copy of the booking's status, kept in step in the same transaction (docs/adr/0003-one-active-hold-per-seat.md). */
  @Enum({ items: () => BookingStatus, type: 'text' })
  status!: BookingStatus;
}
