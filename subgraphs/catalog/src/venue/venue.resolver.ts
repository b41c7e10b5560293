import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { isUuid, Permission, requirePermission } from '@eventix/subgraph-kit';
import type { CatalogContext } from '../context';
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
