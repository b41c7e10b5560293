import { Arg, Ctx, Field, FieldResolver, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Permission, requirePermission } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import { SeatRef } from '../booking/booking.types';
import { Ticket } from './ticket.entity';


@ObjectType()
export class TicketVerification {
  @Field()
  valid!: boolean;

  @Field(() => Ticket, { nullable: true })
  ticket?: Ticket;

  @Field(() => String, { nullable: true })
  reason?: string;
}

@Resolver(() => Ticket)
export class TicketResolver {
  @Query(() => TicketVerification, { description: 'Checks a ticket code at the door without using it (tickets:verify)' })
  async verifyTicket(@Ctx() ctx: BookingContext, @Arg('code') code: string): Promise<TicketVerification> {
    requirePermission(ctx.caller, Permission.TICKETS_VERIFY);
    return ctx.tickets.verify(ctx.em, code);
  }

  @Mutation(() => Ticket, { description: 'Admits a ticket; a second check-in is refused with the first time (tickets:verify)' })
  checkInTicket(@Ctx() ctx: BookingContext, @Arg('code') code: string): Promise<Ticket> {
    const scanner = requirePermission(ctx.caller, Permission.TICKETS_VERIFY);
    return ctx.tickets.checkIn(ctx.em, code, scanner);
  }

  @FieldResolver(() => SeatRef)
  seat(@Root() ticket: Ticket): SeatRef {
    return { id: ticket.seatId };
  }
}
