import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { entityId, isUuid, MoneyScalar, pageSize, hasPermission, Permission, requirePermission, type Caller } from '@eventix/subgraph-kit';
import type { CatalogContext } from '../context';
import { Venue } from '../venue/venue.entity';
import { SeatView } from './seat.view';
import { Event, SingleSeatRule } from './event.entity';
import { CreateEventInput, EventConnection, PAGE_SIZE } from './event.inputs';

/** Seats the gateway's cost analysis assumes for one event's seat map (`@listSize(assumedSize:)`). */
export const SEAT_MAP_ASSUMED_SIZE = 5000;
const canSeeDrafts = (caller: Caller) => hasPermission(caller, Permission.CATALOG_WRITE);

@Resolver(() => Event)
export class EventResolver {
  @Query(() => EventConnection, { description: 'Published events in start order; organizers also see drafts' })
  // Cost analysis: `first` sizes the page's edges (IBM cost directives, read by the gateway).
  @Directive('@listSize(slicingArguments: ["first"], sizedFields: ["edges"])')
  async events(
    @Ctx() ctx: CatalogContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE.default }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('city', () => String, { nullable: true }) city?: string | null,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
  ): Promise<EventConnection> {
    const page = await ctx.events.listEvents(ctx.em, {
      first: pageSize(first, PAGE_SIZE.default, PAGE_SIZE.max),
      after: after ?? undefined,
      city: city ?? undefined,
      from: from ?? undefined,
      includeDrafts: canSeeDrafts(ctx.caller),
    });
    const edges = page.events.map((node) => ({ cursor: ctx.events.cursorOf(node), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Query(() => Event, { nullable: true })
  event(@Ctx() ctx: CatalogContext, @Arg('id', () => ID) id: string): Promise<Event | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return ctx.events.findEvent(ctx.em, id.toLowerCase(), canSeeDrafts(ctx.caller));
  }

  @Mutation(() => Event, { description: 'Creates a DRAFT event at a venue (catalog:write)' })
  createEvent(@Ctx() ctx: CatalogContext, @Arg('input', () => CreateEventInput) input: CreateEventInput): Promise<Event> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.events.createEvent(ctx.em, { ...input, singleSeatRule: input.singleSeatRule ?? undefined, venueId: entityId('Venue', input.venueId) });
  }

  @Mutation(() => Event, { description: 'Puts a DRAFT event on sale (catalog:write)' })
  publishEvent(@Ctx() ctx: CatalogContext, @Arg('id', () => ID) id: string): Promise<Event> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.events.publishEvent(ctx.em, entityId('Event', id));
  }

  @Mutation(() => Event, { description: "Reprices a section of an event; a published event's new prices apply to bookings made afterwards (catalog:write)" })
  changeSectionPrice(
    @Ctx() ctx: CatalogContext,
    @Arg('eventId', () => ID) eventId: string,
    @Arg('sectionId', () => ID) sectionId: string,
    @Arg('price', () => MoneyScalar) price: string,
  ): Promise<Event> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.events.changeSectionPrice(ctx.em, entityId('Event', eventId), entityId('Section', sectionId), price);
  }

  @Mutation(() => Event, { description: 'Sets the lone-seat rule of an event; a published event applies it to bookings made afterwards (catalog:write)' })
  setSingleSeatRule(@Ctx() ctx: CatalogContext, @Arg('eventId', () => ID) eventId: string, @Arg('rule', () => SingleSeatRule) rule: SingleSeatRule): Promise<Event> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.events.setSingleSeatRule(ctx.em, entityId('Event', eventId), rule);
  }

  @Mutation(() => Event, { description: 'Cancels an event; bookings for it are released (catalog:write)' })
  cancelEvent(@Ctx() ctx: CatalogContext, @Arg('id', () => ID) id: string): Promise<Event> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.events.cancelEvent(ctx.em, entityId('Event', id));
  }

  @FieldResolver(() => Venue)
  async venue(@Root() event: Event, @Ctx() ctx: CatalogContext): Promise<Venue> {
    const venue = await ctx.loaders.venue.load(event.venue.id);
    if (!venue) throw new Error(`venue ${event.venue.id} of event ${event.id} is missing`);
    return venue;
  }

  /**
   * What the gateway's seat-map cache keys catalog's part of a published event by (hidden from
   * the public API). Once published, an event's catalog data changes only through its status
   * (cancelEvent) and priceVersion (every reprice and lone-seat rule change bumps it in the same
   * transaction); venues never change. A new mutation that changes a published event otherwise
   * must bump one of the two — the gateway would serve the old answer (ADR 0012).
   */
  @FieldResolver(() => String)
  @Directive('@inaccessible')
  catalogCacheKey(@Root() event: Event): string {
    return `${event.status}:${event.priceVersion}`;
  }

  @FieldResolver(() => [SeatView], { description: 'Every seat of the event in map order, optionally of one section' })
  // A large arena's map (the demo venues have 500–1,000 seats; a venue may have up to 100,000).
  @Directive(`@listSize(assumedSize: ${SEAT_MAP_ASSUMED_SIZE})`)
  seats(@Root() event: Event, @Ctx() ctx: CatalogContext, @Arg('sectionId', () => ID, { nullable: true }) sectionId?: string | null): Promise<SeatView[]> {
    return ctx.seatMaps.seatsOf(ctx.em, event, sectionId ?? undefined);
  }
}

