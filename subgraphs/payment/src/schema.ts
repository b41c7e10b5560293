import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema, DateTimeScalar } from '@eventix/subgraph-kit';
import { BookingRef, Payment } from './payment/payment.entity';
import { BookingPaymentResolver, PaymentResolver } from './payment/payment.resolver';
import { PayResolver } from './payment/pay.resolver';
import { paymentReferences } from './references';

/** The payment subgraph schema; needs no database, so composition can call it. */
export function buildPaymentSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [PaymentResolver, PayResolver, BookingPaymentResolver],
    // Booking is only extended here; no root field of payment's returns it.
    orphanedTypes: [BookingRef, Payment],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    references: paymentReferences,
  });
}
