import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { fromMinorUnits, hasPermission, MoneyScalar, Permission } from '@eventix/subgraph-kit';
import type { PaymentContext } from '../context';
import { BookingRef, Payment } from './payment.entity';

/** Payment owner (or bookings:admin) only: a payment is as private as its booking. */
export const canReadPayment = (ctx: PaymentContext, payment: Payment) =>
  payment.userId === ctx.caller.userId || hasPermission(ctx.caller, Permission.BOOKINGS_ADMIN);

@Resolver(() => Payment)
export class PaymentResolver {
  @FieldResolver(() => BookingRef)
  booking(@Root() payment: Payment): BookingRef {
    return { id: payment.bookingId };
  }

  @FieldResolver(() => MoneyScalar)
  amount(@Root() payment: Payment): string {
    return fromMinorUnits(payment.amountMinor);
  }

  @FieldResolver(() => MoneyScalar)
  refundedAmount(@Root() payment: Payment): string {
    return fromMinorUnits(payment.refundedMinor);
  }
}

@Resolver(() => BookingRef)
export class BookingPaymentResolver {
  @FieldResolver(() => Payment, { nullable: true, description: 'The payment for this booking, once one exists' })
  async payment(@Root() booking: BookingRef, @Ctx() ctx: PaymentContext): Promise<Payment | null> {
    const payment = await ctx.loaders.paymentOfBooking.load(booking.id);
    return payment && canReadPayment(ctx, payment) ? payment : null;
  }
}
