import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@eventix/subgraph-kit';
import { Payment } from './payment/payment.entity';
import type { PaymentService } from './payment/payment.service';

export interface PaymentContext {
  caller: Caller;
  em: EntityManager;
  loaders: PaymentLoaders;
  payments: PaymentService;
}

export interface PaymentLoaders {
  payment: DataLoader<string, Payment | null>;
  paymentOfBooking: DataLoader<string, Payment | null>;
}

export function createLoaders(em: EntityManager): PaymentLoaders {
  return {
    payment: new DataLoader(async (ids) => {
      const rows = await em.find(Payment, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    paymentOfBooking: new DataLoader(async (bookingIds) => {
      const rows = await em.find(Payment, { bookingId: { $in: [...bookingIds] } });
      const byBooking = new Map(rows.map((p) => [p.bookingId, p]));
      return bookingIds.map((id) => byBooking.get(id) ?? null);
    }),
  };
}
