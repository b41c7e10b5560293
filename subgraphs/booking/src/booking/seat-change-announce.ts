import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope, OUTBOX_INSERT_COLUMNS, outboxRowValues } from '@eventix/events';
import type { BookingCreatedPayload, SeatChange } from './booking.messages';
import { seatChangeOf } from '../live/seat-change';

/**
 * The end of every seat change, in one statement: +1 on the event's seat map version, the change
 * as live subscribers see it under that version in seat_change_log (pruning old versions now
 * and then), and the outbox row of its message carrying the version. The version row's lock is
 * what every seat change of the event queues on, held to commit so versions follow commit order
 * (bench/README.md "The seat map version row"): with all of it in one round trip, sent last,
 * the only other thing inside that critical section is the commit. (recordEvent would add a
 * flush round trip inside it.)
 *
 * The outbox row is exactly what recordEvent writes (@eventix/events' OUTBOX_INSERT_COLUMNS and
 * outboxRowValues, the payload's version spliced in); the outbox's insert trigger wakes the
 * relay on commit either way. The change log keeps at least the newest `keep` versions, pruned
 * every `pruneEvery` versions rather than on every change.
 */
const ANNOUNCE_SQL = `
  with bumped as (
    update event_projection set seat_map_version = seat_map_version + 1 where event_id = ? returning event_id, seat_map_version
  ), logged as (
    insert into seat_change_log (event_id, version, seats) select event_id, seat_map_version, ?::jsonb from bumped where ?
  ), pruned as (
    delete from seat_change_log where event_id = (select event_id from bumped) and version <= (select seat_map_version from bumped) - ?
       and (select seat_map_version from bumped) % ? = 0
  ), announced as (
    insert into outbox (${OUTBOX_INSERT_COLUMNS.join(', ')})
    select ?, ?, ?, ?, ?, jsonb_set(?::jsonb, '{seatMapVersion}', to_jsonb(seat_map_version)), ?, ? from bumped
  )
  select seat_map_version from bumped`;

export interface AnnounceOptions {
  /** Seat map versions per event kept in seat_change_log; default 1,000. */
  keep?: number;
}

/** Announces a seat change (see ANNOUNCE_SQL); returns the event's new seat map version. */
export async function announceSeatChange<Payload extends SeatChange>(
  tx: EntityManager,
  type: string,
  change: Omit<Payload, 'seatMapVersion'>,
  options: AnnounceOptions = {},
): Promise<number> {
  const keep = options.keep ?? 1_000;
  const pruneEvery = Math.min(64, Math.max(1, Math.floor(keep / 4)));
  const live = seatChangeOf(type, { ...change, seatMapVersion: 0 } as unknown as BookingCreatedPayload);
  const envelope = createEnvelope({ type, key: change.eventId, payload: { ...change, seatMapVersion: 0 } });
  const params = [
    change.eventId,
    JSON.stringify(live?.seats ?? []), live !== undefined,
    keep, pruneEvery,
    ...outboxRowValues(envelope),
  ];
  const [row] = await tx.execute<Array<{ seat_map_version: string }>>(ANNOUNCE_SQL, params);
  return Number(row?.seat_map_version ?? 0);
}
