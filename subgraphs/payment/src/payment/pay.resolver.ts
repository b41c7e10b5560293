import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import { requireUser } from '@eventix/subgraph-kit';
import type { PaymentContext } from '../context';
import { Payment } from './payment.entity';

@InputType()
export class PayBookingInput {
  @Field(() => ID)
  bookingId!: string;

  @Field({ description: 'Provider card token; the simulated provider documents tok_visa, tok_chargeDeclined, tok_insufficientFunds, tok_async, tok_providerError, tok_timeout' })
  paymentMethodToken!: string;

  @Field(() => String, { nullable: true, description: 'Same key: never charged twice' })
  idempotencyKey?: string | null;
}

@Resolver(() => Payment)
export class PayResolver {
  @Mutation(() => Payment, { description: "Pays one of your held bookings; a decline is PAYMENT_DECLINED and releases the seats" })
  payBooking(@Ctx() ctx: PaymentContext, @Arg('input', () => PayBookingInput) input: PayBookingInput): Promise<Payment> {
    requireUser(ctx.caller);
    return ctx.payments.pay(ctx.em, ctx.caller, { bookingId: input.bookingId, paymentMethodToken: input.paymentMethodToken, idempotencyKey: input.idempotencyKey ?? undefined });
  }
}
