import { Arg, Ctx, Field, ID, Int, ObjectType, Resolver, Root, Subscription, registerEnumType, type SubscribeResolverData } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@eventix/errors';
import { isUuid, requireUser } from '@eventix/subgraph-kit';
import type { BookingContext } from '../context';
import type { BookingStatus } from '../booking/booking.entity';
import { HoldNoticeKind, nextHoldNotice, type HoldNotice, type HoldState } from './hold-expiring';

registerEnumType(HoldNoticeKind, { name: 'HoldNoticeKind', description: 'What holdExpiring reports' });

@ObjectType({ description: "A hold's countdown: a warning before it ends, then one final message" })
export class HoldExpiringNotice {
  @Field(() => ID)
  bookingId!: string;

  @Field(() => HoldNoticeKind)
  kind!: HoldNoticeKind;

  @Field(() => Date, { description: 'When the hold ends (the new end for EXTENDED)' })
  expiresAt!: Date;

  @Field(() => Int)
  secondsLeft!: number;

  @Field(() => Boolean, { description: 'True for the last message: the stream ends after it' })
  final!: boolean;
}

export interface HoldWatchSettings {
  warningSeconds: number;
  watchIntervalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readHold(em: EntityManager, bookingId: string): Promise<HoldState | undefined> {
  const [row] = await em.execute<Array<{ status: BookingStatus; expires_at: Date }>>('select status, expires_at from booking where id = ?', [bookingId]);
  return row && { status: row.status, expiresAt: new Date(row.expires_at) };
}

/**
 * Watches one hold: reads it every watchIntervalMs (or sooner, when the warning or the end is
 * due), so an extension, payment or cancellation made on any instance is seen.
 */
export async function* watchHold(em: EntityManager, bookingId: string, first: HoldState, settings: HoldWatchSettings, clock: () => Date = () => new Date()): AsyncGenerator<HoldNotice> {
  let warned = false;
  for (;;) {
    const now = (await readHold(em, bookingId)) ?? first;
    const step = nextHoldNotice(bookingId, first, warned, now, clock(), settings.warningSeconds);
    if (step.notice) {
      yield step.notice;
      if (step.notice.final) return;
      warned = true;
    }
    await sleep(Math.max(10, Math.min(settings.watchIntervalMs, step.recheckInMs ?? settings.watchIntervalMs)));
  }
}

@Resolver()
export class HoldExpiringResolver {
  @Subscription(() => HoldExpiringNotice, {
    description:
      "Countdown of one of the caller's holds (owner only): WARNING HOLD_WARNING_SECONDS (default 60) before it ends, then one final " +
      'message — EXPIRED, EXTENDED, CONFIRMED or CANCELLED — and the stream ends. A hold already over gets its final message at once.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { bookingId: string }, BookingContext>) => {
      const userId = requireUser(context.caller);
      const id = String(args.bookingId).toLowerCase();
      const hold = isUuid(id) ? await readHoldOwned(context.em, id, userId) : undefined;
      // Someone else's booking is "not found", as for the booking query.
      if (!hold) throw notFound('Booking', args.bookingId);
      return watchHold(context.em, id, hold, context.holdWatch);
    },
  })
  holdExpiring(@Root() notice: HoldNotice, @Arg('bookingId', () => ID) _bookingId: string, @Ctx() _ctx: BookingContext): HoldExpiringNotice {
    return notice;
  }
}

async function readHoldOwned(em: EntityManager, bookingId: string, userId: string): Promise<HoldState | undefined> {
  const [row] = await em.execute<Array<{ status: BookingStatus; expires_at: Date }>>('select status, expires_at from booking where id = ? and user_id = ?', [bookingId, userId]);
  return row && { status: row.status, expiresAt: new Date(row.expires_at) };
}
