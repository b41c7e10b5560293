import type { ReferenceResolvers } from '@eventix/subgraph-kit';
import type { BookingContext } from './context';
import { canRead, withEffectiveStatus } from './booking/booking.queries';

type Reference = { id: string };

/**
 * Entities other subgraphs reference. Event and Seat carry only their key here (their
 * availability fields batch through loaders); Booking is batched and checked for ownership, so
 * `_entities` never leaks another user's booking.
 */
export const bookingReferences: ReferenceResolvers = {
  Event: { __resolveReference: (ref: Reference) => ({ id: ref.id }) },
  Seat: { __resolveReference: (ref: Reference) => ({ id: ref.id }) },
  Booking: {
    __resolveReference: async (ref: Reference, ctx: BookingContext) => {
      const booking = await ctx.loaders.booking.load(ref.id);
      return booking && canRead(ctx.caller, booking) ? withEffectiveStatus(booking, new Date()) : null;
    },
  },
} as unknown as ReferenceResolvers;
