import type { ReferenceResolvers } from '@eventix/subgraph-kit';
import type { PaymentContext } from './context';
import { canReadPayment } from './payment/payment.resolver';

type Reference = { id: string };

export const paymentReferences: ReferenceResolvers = {
  Payment: {
    __resolveReference: async (ref: Reference, ctx: PaymentContext) => {
      const payment = await ctx.loaders.payment.load(ref.id);
      return payment && canReadPayment(ctx, payment) ? payment : null;
    },
  },
  Booking: { __resolveReference: (ref: Reference) => ({ id: ref.id }) },
} as unknown as ReferenceResolvers;
