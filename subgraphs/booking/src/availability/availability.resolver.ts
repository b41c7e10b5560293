import { Ctx, Directive, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { BookingContext } from '../context';
import { EventRef, SeatAvailability, SeatRef } from '../booking/booking.types';

@Resolver(() => EventRef)
export class EventAvailabilityResolver {
  // Nullable on purpose: when the booking service cannot answer, the gateway nulls this field
  // alone and keeps the catalog's fields of the event instead of nulling the whole event.
  @FieldResolver(() => Int, { nullable: true, description: 'Seats open for booking (neither held nor sold); 0 while the event is not open for booking (not yet, cancelled, or started); null when it cannot be determined right now' })
  async availableSeatCount(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<number> {
    return (await ctx.loaders.eventAvailability.load(event.id))?.availableSeatCount ?? 0;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Grows by one with every seat change of the event; subscriptions carry it; null when it cannot be determined right now' })
  async seatMapVersion(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<number> {
    return (await ctx.loaders.eventAvailability.load(event.id))?.seatMapVersion ?? 0;
  }

  /** The gateway's seat-map cache key for booking's part of the map (hidden from the public API; see AvailabilityService.cacheKey). */
  @FieldResolver(() => String, { nullable: true })
  @Directive('@inaccessible')
  availabilityCacheKey(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<string | null> {
    return ctx.loaders.availabilityCacheKey(event.id);
  }

  /**
   * Booking's whole part of the event's map as JSON text (EventSeatStates: the cache key, the
   * counters, the ids of every seat not AVAILABLE), one snapshot. Hidden from the public API:
   * the gateway's seat-map cache reads it to bring a stored map's availability up to date
   * instead of planning 20,000 seats again (ADR 0012). Text, not a type: nothing else reads it
   * and a 20,000-id list is cheaper as one string than as GraphQL values.
   */
  @FieldResolver(() => String, { nullable: true })
  @Directive('@inaccessible')
  async seatStates(@Root() event: EventRef, @Ctx() ctx: BookingContext): Promise<string | null> {
    const states = await ctx.loaders.seatStates(event.id);
    return states ? JSON.stringify(states) : null;
  }
}

@Resolver(() => SeatRef)
export class SeatAvailabilityResolver {
  @FieldResolver(() => SeatAvailability, { nullable: true, description: 'null when it cannot be determined right now (booking service unavailable)' })
  async availability(@Root() seat: SeatRef, @Ctx() ctx: BookingContext): Promise<SeatAvailability> {
    // Not in the projection: the booking side cannot sell this seat (yet), whatever catalog says.
    return (await ctx.loaders.seatAvailability.load(seat.id)) ?? SeatAvailability.NOT_ON_SALE;
  }
}
