import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@eventix/subgraph-kit';
import { SeatAvailability } from '../booking/booking.types';
import { activeStatusSql, liveHoldSql, overdueHoldSql, STARTED_SQL } from '../booking/booking.rules';
import { BookingStatus } from '../booking/booking.entity';

export interface EventAvailability {
  availableSeatCount: number;
  seatMapVersion: number;
}

/**
 * Booking's whole part of one event's seat map, read in one statement (one snapshot): what the
 * gateway needs to bring a cached map's availability up to date without planning the map again
 * (ADR 0012). Seats are listed by id for every state but AVAILABLE; a seat of the projection
 * that is not listed is AVAILABLE.
 */
export interface EventSeatStates {
  /** The event's availabilityCacheKey as of this snapshot. */
  key: string;
  seatMapVersion: number;
  availableSeatCount: number;
  /** Seats of the event in the projection. */
  projectedSeats: number;
  held: string[];
  sold: string[];
  notOnSale: string[];
}

/**
 * An event is open for booking here only when it is ON_SALE, every seat catalog announced has
 * reached the projection and it has not started; before that (just published, message lag),
 * after a cancellation and from its start its seats are NOT_ON_SALE — availability never
 * claims what createBooking cannot honour.
 */
const OPEN_FOR_BOOKING = `e.status = 'ON_SALE' and e.projected_seats >= e.total_seats and not ${STARTED_SQL('e')}`;

/** A seat's item is held while its booking's hold is live (item status mirrors the booking's). */
const ITEM_HELD = liveHoldSql({ status: 'i.status', expiresAt: 'b.expires_at', now: 'now()' });

/**
 * Ids as one PostgreSQL array parameter for `= any(?::uuid[])`: a stadium map asks for 20,000
 * seats, and 20,000 `?` placeholders cost knex's binding and the planner far more than one
 * array. Only well-formed UUIDs get in (another id names no seat), so the literal needs no
 * quoting.
 */
const uuidArray = (ids: readonly string[]) => `{${ids.filter(isUuid).join(',')}}`;

/**
 * Event `e`'s earliest live hold's end, in ms since the epoch (null without one): part of its
 * cache key, read for every seat-map request. From the bookings themselves (a booking's items
 * carry its status), so it is the first entry of booking_event_hold_expiry_idx after now —
 * not a pass over every live hold of the event, thousands during an on-sale.
 */
const NEXT_EXPIRY_MS = `(select floor(extract(epoch from min(b.expires_at)) * 1000)::bigint
   from booking b
  where b.event_id = e.event_id and ${liveHoldSql({ status: 'b.status', expiresAt: 'b.expires_at', now: 'now()' })})`;

/**
 * Event `e`'s items of overdue holds: PENDING past their expiry, not yet expired by the worker.
 * They still count in `active_items` but no longer hold their seats. Few (the worker runs every
 * few seconds), found on booking_event_hold_expiry_idx.
 */
const OVERDUE_ITEMS = `(select count(*) from booking b join booking_item i on i.booking_id = b.id
   where b.event_id = e.event_id and ${overdueHoldSql({ status: 'b.status', expiresAt: 'b.expires_at', now: 'now()' })}
     and i.status = '${BookingStatus.PENDING}')`;

/**
 * Event `e`'s seats open for booking: neither sold nor held by a live hold; 0 while it is not
 * open. From the event's count of active items, kept at commit by triggers
 * (Migration20261126040000), less those of overdue holds: read for every event of every events
 * list, it must not count the event's sold tickets.
 */
const AVAILABLE_SEATS = `(case when not (${OPEN_FOR_BOOKING}) then 0 else e.total_seats - (e.active_items - ${OVERDUE_ITEMS}) end)`;

/** The seat-map cache key from its parts (see AvailabilityService.cacheKey). */
const cacheKeyOf = (row: { seat_map_version: string; open: boolean; next_expiry_ms: string | null }) => `${row.seat_map_version}:${row.open ? 'open' : 'closed'}:${row.next_expiry_ms ?? '-'}`;

/**
 * Read side of seat availability, computed from the projection and the active booking items.
 * A PENDING hold past its expiry already counts as available: the seat is bookable the moment
 * its hold ends (createBooking expires such holds when it locks the seat).
 */
export class AvailabilityService {
  /**
   * Availability of many seats in one query. Seats missing from the projection are left out:
   * the caller reports them NOT_ON_SALE (not projected yet, or not a seat of a sellable event).
   */
  async seats(em: EntityManager, seatIds: readonly string[]): Promise<Map<string, SeatAvailability>> {
    if (!seatIds.some(isUuid)) return new Map();
    const rows = await em.execute<Array<{ seat_id: string; state: SeatAvailability }>>(
      `select s.seat_id,
              case when i.status = 'CONFIRMED' then 'SOLD'
                   when not (${OPEN_FOR_BOOKING}) then 'NOT_ON_SALE'
                   when ${ITEM_HELD} then 'HELD'
                   else 'AVAILABLE' end as state
         from seat_projection s
         join event_projection e on e.event_id = s.event_id
         left join booking_item i on i.event_id = s.event_id and i.seat_id = s.seat_id and ${activeStatusSql('i.status')}
         left join booking b on b.id = i.booking_id
        where s.seat_id = any(?::uuid[])`,
      [uuidArray(seatIds)],
    );
    return new Map(rows.map((r) => [r.seat_id, r.state]));
  }

  /**
   * Everything the availability of an event's seats depends on, as one string: the seat map
   * version (bumped at commit by every seat change), whether the event is open for booking,
   * and when the earliest live hold ends (a hold past its expiry counts as available without
   * any write). Equal keys mean equal availability answers; the gateway's seat-map cache keys
   * booking's part of a map by it (ADR 0012). null when the event is not in the projection.
   */
  async cacheKey(em: EntityManager, eventId: string): Promise<string | null> {
    if (!isUuid(eventId)) return null;
    const [row] = await em.execute<Array<{ seat_map_version: string; open: boolean; next_expiry_ms: string | null }>>(
      `select e.seat_map_version, (${OPEN_FOR_BOOKING}) as open,
              ${NEXT_EXPIRY_MS} as next_expiry_ms
         from event_projection e
        where e.event_id = ?`,
      [eventId.toLowerCase()],
    );
    return row ? cacheKeyOf(row) : null;
  }

  /**
   * {@link EventSeatStates} of one event, or null when it is not in the projection. One
   * statement, so the key, the counters and every seat's state are of the same moment.
   */
  async seatStates(em: EntityManager, eventId: string): Promise<EventSeatStates | null> {
    if (!isUuid(eventId)) return null;
    const [row] = await em.execute<Array<{ seat_map_version: string; open: boolean; next_expiry_ms: string | null; available: string; projected: string; held: string[] | null; sold: string[] | null; not_on_sale: string[] | null }>>(
      // The same states as seats() gives each seat, but read from the event's active items (few,
      // on booking_item_active_seat_idx) instead of joining all 20,000 seats: a seat of the
      // projection without a listed state is AVAILABLE.
      `select e.seat_map_version, (${OPEN_FOR_BOOKING}) as open,
              ${NEXT_EXPIRY_MS} as next_expiry_ms,
              ${AVAILABLE_SEATS} as available,
              (select count(*) from seat_projection s where s.event_id = e.event_id) as projected,
              case when ${OPEN_FOR_BOOKING} then (
                select array_agg(i.seat_id::text) from booking_item i join booking b on b.id = i.booking_id
                 where i.event_id = e.event_id and i.status <> 'CONFIRMED' and ${ITEM_HELD}
                   and exists (select 1 from seat_projection s where s.event_id = i.event_id and s.seat_id = i.seat_id)) end as held,
              (select array_agg(i.seat_id::text) from booking_item i
                where i.event_id = e.event_id and i.status = 'CONFIRMED'
                  and exists (select 1 from seat_projection s where s.event_id = i.event_id and s.seat_id = i.seat_id)) as sold,
              case when not (${OPEN_FOR_BOOKING}) then (
                select array_agg(s.seat_id::text) from seat_projection s
                 where s.event_id = e.event_id
                   and not exists (select 1 from booking_item i where i.event_id = s.event_id and i.seat_id = s.seat_id and i.status = 'CONFIRMED')) end as not_on_sale
         from event_projection e
        where e.event_id = ?`,
      [eventId.toLowerCase()],
    );
    if (!row) return null;
    return {
      key: cacheKeyOf(row),
      seatMapVersion: Number(row.seat_map_version),
      availableSeatCount: Number(row.available),
      projectedSeats: Number(row.projected),
      held: row.held ?? [],
      sold: row.sold ?? [],
      notOnSale: row.not_on_sale ?? [],
    };
  }

  /** Per-event counters for many events in one query. */
  async events(em: EntityManager, eventIds: readonly string[]): Promise<Map<string, EventAvailability>> {
    if (!eventIds.some(isUuid)) return new Map();
    const rows = await em.execute<Array<{ event_id: string; available: string; seat_map_version: string }>>(
      `select e.event_id, e.seat_map_version,
              ${AVAILABLE_SEATS} as available
         from event_projection e
        where e.event_id = any(?::uuid[])`,
      [uuidArray(eventIds)],
    );
    return new Map(rows.map((r) => [r.event_id, { availableSeatCount: Number(r.available), seatMapVersion: Number(r.seat_map_version) }]));
  }
}
