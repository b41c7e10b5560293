import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MoneyScalar, requireUser } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import { Booking } from '../booking/booking.entity';

@InputType()
export class HoldBestAvailableInput {
  @Field(() => ID)
  eventId!: string;

  @Field(() => Int, { description: '1..MAX_SEATS_PER_BOOKING (default 10) seats' })
  quantity!: number;

  @Field(() => ID, { nullable: true, description: 'Only seats of this section' })
  sectionId?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Only seats priced at most this (per seat)' })
  maxPrice?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'When no row can seat the party together, accept the closest split over consecutive rows' })
  allowSplit?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Same key from the same user: the same booking, no second hold' })
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'What holdBestAvailable chose' })
export class BestAvailableHold {
  @Field(() => Booking)
  booking!: Booking;

  @Field(() => Boolean, { description: 'True when the whole party sits next to each other in one row' })
  adjacent!: boolean;

  @Field(() => [String], { description: 'Row labels used, front row first' })
  rows!: string[];
}

@Resolver()
export class BestAvailableResolver {
  @Mutation(() => BestAvailableHold, {
    description:
      'Holds the best available seats for the signed-in user: `quantity` seats next to each other in one row, in the row nearest the stage ' +
      '(the front of the seat map: the smallest y, row A of the first section first) that can take them without leaving a single empty seat ' +
      'between taken seats or at a row end. Only with allowSplit, and only when no row can take the party together, the closest split. ' +
      'SEAT_UNAVAILABLE when nothing matches; SERVICE_UNAVAILABLE (retryable) when every candidate row stayed busy with other buyers.',
  })
  holdBestAvailable(@Ctx() ctx: BookingContext, @Arg('input', () => HoldBestAvailableInput) input: HoldBestAvailableInput): Promise<BestAvailableHold> {
    const userId = requireUser(ctx.caller);
    return ctx.bookings.holdBestAvailable(ctx.em, userId, {
      eventId: input.eventId,
      quantity: input.quantity,
      sectionId: input.sectionId ?? undefined,
      maxPrice: input.maxPrice ?? undefined,
      allowSplit: input.allowSplit ?? false,
      idempotencyKey: input.idempotencyKey ?? undefined,
    });
  }
}
