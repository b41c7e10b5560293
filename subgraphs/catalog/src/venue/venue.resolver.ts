import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fromMinorUnits, isUuid, MoneyScalar, Permission, requirePermission } from '@eventix/subgraph-kit';
import type { CatalogContext } from '../context';
import { Seat } from '../event/seat.entity';
import { Section, Venue } from './venue.entity';
import { CreateVenueInput } from './venue.inputs';
import { LAYOUT_LIMITS } from './venue.rules';

@Resolver(() => Venue)
export class VenueResolver {
  @Query(() => Venue, { nullable: true })
  venue(@Ctx() ctx: CatalogContext, @Arg('id', () => ID) id: string): Promise<Venue | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return ctx.loaders.venue.load(id.toLowerCase());
  }

  @Mutation(() => Venue, { description: 'Creates a venue and generates its seats from the sections (catalog:write)' })
  createVenue(@Ctx() ctx: CatalogContext, @Arg('input', () => CreateVenueInput) input: CreateVenueInput): Promise<Venue> {
    requirePermission(ctx.caller, Permission.CATALOG_WRITE);
    return ctx.venues.createVenue(ctx.em, input);
  }

  @FieldResolver(() => [Section])
  @Directive(`@listSize(assumedSize: ${LAYOUT_LIMITS.maxSections})`)
  sections(@Root() venue: Venue, @Ctx() ctx: CatalogContext): Promise<Section[]> {
    return ctx.venues.sectionsOf(ctx.em, venue.id);
  }
}

@Resolver(() => Seat)
export class SeatResolver {
  @FieldResolver(() => Section)
  async section(@Root() seat: Seat, @Ctx() ctx: CatalogContext): Promise<Section> {
    const section = await ctx.loaders.section.load(seat.section.id);
    if (!section) throw new Error(`section ${seat.section.id} of seat ${seat.id} is missing`);
    return section;
  }

  @FieldResolver(() => MoneyScalar)
  price(@Root() seat: Seat): string {
    return fromMinorUnits(seat.priceMinor);
  }
}
