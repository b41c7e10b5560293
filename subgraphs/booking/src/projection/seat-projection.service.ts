import type { MikroORM } from '@mikro-orm/postgresql';
import { claimMessage, requireVersion, type EventEnvelope } from '@eventix/events';
import type { BookingService } from '../booking/booking.service';
import { CatalogTopics, EVENT_PUBLISHED_VERSIONS, type EventCancelledPayload, type EventPublishedPayload } from './catalog.messages';

const CONSUMER = 'booking.seat-projection';

/**
 * Keeps the booking database's copy of each event's seats and prices in step with the catalog,
 * so createBooking never calls the catalog (docs/adr/0002-seat-projection-in-booking.md). Idempotent: the processed-message row
 * commits with the change, and older price versions never overwrite newer ones.
 */
export class SeatProjectionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly bookings: BookingService,
    private readonly onChange: () => void = () => undefined,
  ) {}

  async handle(message: EventEnvelope): Promise<void> {
    // A version this code does not know can never succeed: dead-lettered at once, replayable
    // after an upgrade (npm run dlq:replay), instead of being misread.
    if (message.type === CatalogTopics.eventPublished) {
      requireVersion(message, ...EVENT_PUBLISHED_VERSIONS);
      await this.applyPublished(message as EventEnvelope<EventPublishedPayload>);
    } else if (message.type === CatalogTopics.eventCancelled) {
      requireVersion(message, 1);
      await this.applyCancelled(message as EventEnvelope<EventCancelledPayload>);
    } else requireVersion(message, 1);
  }

  private async applyPublished(message: EventEnvelope<EventPublishedPayload>): Promise<void> {
    const p = message.payload;
    await this.orm.em.fork().transactional(async (em) => {
      if (!(await claimMessage(em, CONSUMER, message.id))) return;
      const [current] = await em.execute<Array<{ price_version: number }>>(
        `insert into event_projection (event_id, currency, status, price_version, total_seats, single_seat_rule, starts_at)
         values (?, ?, 'ON_SALE', ?, ?, ?, ?)
         on conflict (event_id) do update
           set currency = excluded.currency, price_version = excluded.price_version, total_seats = excluded.total_seats,
               single_seat_rule = excluded.single_seat_rule, starts_at = coalesce(excluded.starts_at, event_projection.starts_at),
               status = case when event_projection.status = 'CANCELLED' then 'CANCELLED' else 'ON_SALE' end, updated_at = now()
           where event_projection.price_version <= excluded.price_version
         returning price_version`,
        [p.eventId, p.currency, p.priceVersion, p.totalSeats, p.singleSeatRule === 'PREVENT' ? 'PREVENT' : 'ALLOW', p.startsAt ? new Date(p.startsAt) : null],
      );
      // No row returned: a newer price version is already applied; this part is stale.
      if (!current) return;
      await em.execute(
        `insert into seat_projection (event_id, seat_id, price_minor, section_id, row_label, seat_number, x, y)
         select ?, "seatId", "priceMinor", "sectionId", "row", "number", x, y
           from jsonb_to_recordset(?::jsonb) as t("seatId" uuid, "priceMinor" bigint, "sectionId" uuid, "row" text, "number" integer, x double precision, y double precision)
         on conflict (event_id, seat_id) do update
           set price_minor = excluded.price_minor,
               section_id = coalesce(excluded.section_id, seat_projection.section_id), row_label = coalesce(excluded.row_label, seat_projection.row_label),
               seat_number = coalesce(excluded.seat_number, seat_projection.seat_number),
               x = coalesce(excluded.x, seat_projection.x), y = coalesce(excluded.y, seat_projection.y)`,
        [p.eventId, JSON.stringify(p.seats)],
      );
      // Counted, not summed from parts: a redelivered or re-announced part must not count twice.
      await em.execute(
        `update event_projection set projected_seats = (select count(*) from seat_projection where event_id = ?) where event_id = ?`,
        [p.eventId, p.eventId],
      );
    });
  }

  private async applyCancelled(message: EventEnvelope<EventCancelledPayload>): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      if (!(await claimMessage(em, CONSUMER, message.id))) return;
      // Published and cancelled travel on different topics, so a cancellation can arrive before
      // (or without) the publication. It then leaves a tombstone: a later publication fills in
      // seats and prices but keeps the status CANCELLED (see applyPublished), so a cancelled
      // event never opens for booking. 'XXX' is ISO 4217's "no currency".
      await em.execute(
        `insert into event_projection (event_id, currency, status, price_version, total_seats)
         values (?, 'XXX', 'CANCELLED', 0, 0)
         on conflict (event_id) do update set status = 'CANCELLED', updated_at = now()`,
        [message.payload.eventId],
      );
      await this.bookings.cancelAllForEvent(em, message.payload.eventId);
    });
    this.onChange();
  }
}

export const seatProjectionTopics = [CatalogTopics.eventPublished, CatalogTopics.eventCancelled];
