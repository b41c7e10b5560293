import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { entityId, fromMinorUnits, isUuid, MoneyScalar, pageSize, requireUser } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import { Booking } from './booking.entity';
import { BookingConnection, BookingItemView, CreateBookingInput, EventRef } from './booking.types';
import { Ticket } from '../ticket/ticket.entity';

const PAGE = { default: 20, max: 100 } as const;
/** Items and tickets per booking for cost analysis: MAX_SEATS_PER_BOOKING's default. */
const BOOKING_SEATS_ASSUMED_SIZE = 10;

@Resolver(() => Booking)
export class BookingResolver {
  @Query(() => Booking, { nullable: true, description: "One of the caller's bookings (bookings:admin sees all)" })
  booking(@Ctx() ctx: BookingContext, @Arg('id', () => ID) id: string): Promise<Booking | null> {
    requireUser(ctx.caller);
    if (!isUuid(id)) return Promise.resolve(null);
    return ctx.queries.findVisible(ctx.em, ctx.caller, id.toLowerCase());
  }

  @Query(() => BookingConnection, { description: "The caller's bookings, newest first" })
  @Directive('@listSize(slicingArguments: ["first"], sizedFields: ["edges"])')
  async myBookings(
    @Ctx() ctx: BookingContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE.default }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<BookingConnection> {
    const userId = requireUser(ctx.caller);
    const page = await ctx.queries.mine(ctx.em, userId, pageSize(first, PAGE.default, PAGE.max), after ?? undefined);
    const edges = page.bookings.map((node) => ({ cursor: ctx.queries.cursorOf(node), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Mutation(() => Booking, { description: 'Holds seats for the signed-in user until expiresAt' })
  createBooking(@Ctx() ctx: BookingContext, @Arg('input', () => CreateBookingInput) input: CreateBookingInput): Promise<Booking> {
    const userId = requireUser(ctx.caller);
    return ctx.bookings.create(ctx.em, userId, { eventId: input.eventId, seatIds: input.seatIds, idempotencyKey: input.idempotencyKey ?? undefined });
  }

  @Mutation(() => Booking, { description: 'Cancels one of your bookings and releases its seats; a paid booking is refunded, unless one of its tickets was already checked in (INVALID_BOOKING_STATE)' })
  cancelBooking(@Ctx() ctx: BookingContext, @Arg('id', () => ID) id: string): Promise<Booking> {
    requireUser(ctx.caller);
    return ctx.bookings.cancel(ctx.em, ctx.caller, entityId('Booking', id));
  }

  @FieldResolver(() => EventRef)
  event(@Root() booking: Booking): EventRef {
    return { id: booking.eventId };
  }

  @FieldResolver(() => MoneyScalar)
  totalAmount(@Root() booking: Booking): string {
    return fromMinorUnits(booking.totalMinor);
  }

  @FieldResolver(() => [Ticket], { description: 'One per seat once the booking is confirmed' })
  @Directive(`@listSize(assumedSize: ${BOOKING_SEATS_ASSUMED_SIZE})`)
  tickets(@Root() booking: Booking, @Ctx() ctx: BookingContext): Promise<Ticket[]> {
    return ctx.loaders.ticketsOfBooking.load(booking.id);
  }

  @FieldResolver(() => [BookingItemView])
  @Directive(`@listSize(assumedSize: ${BOOKING_SEATS_ASSUMED_SIZE})`)
  async items(@Root() booking: Booking, @Ctx() ctx: BookingContext): Promise<BookingItemView[]> {
    const items = await ctx.loaders.itemsOfBooking.load(booking.id);
    return items.map((item) => ({ seat: { id: item.seatId, eventId: item.eventId }, price: fromMinorUnits(item.priceMinor) }));
  }
}
