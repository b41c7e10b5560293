import { Entity, Enum, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

export enum PaymentStatus {
  REQUIRES_PAYMENT = 'REQUIRES_PAYMENT',
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

@ObjectType({ description: 'The money side of one booking' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'payment' })
export class Payment {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid', unique: true })
  bookingId!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus, type: 'text' })
  status: PaymentStatus & Opt = PaymentStatus.REQUIRES_PAYMENT;

  @Property({ type: 'bigint', columnType: 'bigint' })
  amountMinor!: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  refundedMinor: string & Opt = '0';

  @Field()
  @Property({ type: 'text', length: 3 })
  currency!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  failureReason?: string;

  @Property({ type: 'text', nullable: true })
  providerTransactionId?: string;

  /** When the booking's hold ends, as last announced by the booking subgraph. */
  @Property({ type: 'timestamptz', nullable: true })
  bookingExpiresAt?: Date;

  /** False once the booking was cancelled or expired: it can no longer be paid. */
  @Property({ type: 'boolean' })
  bookingOpen: boolean & Opt = true;

  /** The key of the attempt that charged (or is charging) this payment. */
  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string;

  /** The provider's id for the charge, once it has one. */
  @Property({ type: 'text', nullable: true, unique: true })
  chargeId?: string;

  @Property({ type: 'timestamptz', nullable: true })
  processingSince?: Date;

  @Property({ type: 'timestamptz', nullable: true })
  refundRequestedAt?: Date;

  @Property({ type: 'text', nullable: true })
  refundReason?: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/** The booking subgraph's Booking, as payment adds `payment` to it. */
@ObjectType('Booking')
@Directive('@key(fields: "id")')
export class BookingRef {
  @Field(() => ID)
  id!: string;
}
