import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { BookingContext } from '../context';
import { EventRef, SeatAvailability, SeatRef } from '../booking/booking.types';

@Resolver(() => EventRef)
export class EventAvailabilityResolver {
  @FieldResolver(() => Int, { description: 'Seats neither held nor sold; 0 before the event is on sale' })
  async availableSeatCount(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<number> {
    return (await ctx.loaders.eventAvailability.load(event.id))?.availableSeatCount ?? 0;
  }

  @FieldResolver(() => Int, { description: 'Grows by one with every seat change of the event; subscriptions carry it' })
  async seatMapVersion(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<number> {
    return (await ctx.loaders.eventAvailability.load(event.id))?.seatMapVersion ?? 0;
  }
}

@Resolver(() => SeatRef)
export class SeatAvailabilityResolver {
  @FieldResolver(() => SeatAvailability)
  async availability(@Root() seat: SeatRef, @Ctx() ctx: BookingContext): Promise<SeatAvailability> {
    return (await ctx.loaders.seatAvailability.load(seat.id)) ?? SeatAvailability.AVAILABLE;
  }
}
