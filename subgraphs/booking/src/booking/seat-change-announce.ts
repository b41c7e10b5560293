import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope, OUTBOX_INSERT_COLUMNS, outboxRowValues } from '@eventix/events';
import type { BookingCreatedPayload, SeatChange } from './booking.messages';
import { seatChangeOf } from '../live/seat-change';

/**
 * Every seat change ends here: its outbox message and a seat_change_pending row, in one
 * statement. The event's seat map version is assigned at commit by the pending row's deferred
 * trigger (migration seat_map_version_at_commit): +1 on the version, the change logged under it
 * for live subscribers (seat_change_log, pruned every `pruneEvery` versions to the newest
 * `keep`), and the version written into the message's payload. The version row's lock, which
 * every seat change of the event queues on, is so held only while the commit runs, not across a
 * round trip to the service and back; versions still follow commit order, with no gaps.
 *
 * The outbox row is exactly what recordEvent writes (@eventix/events' OUTBOX_INSERT_COLUMNS and
 * outboxRowValues); the outbox's insert trigger wakes the relay on commit either way.
 */
const PENDING_COLUMNS = '(event_id, outbox_id, seats, keep_versions, prune_every)';

/** The announcement's SQL as the tail of a statement: `with <its CTEs>, ${cte} ${final}`. */
export interface AnnouncementSql {
  cte: string;
  final: string;
}

/**
 * The announcement's SQL, built once per statement shape. With a `gate`, it is written only if
 * the caller's CTE `gate.source` has a row (a statement that writes only when its checks pass,
 * one-statement-hold.ts), and `gate.payloadFields` (a jsonb expression that may read the
 * source's columns) is merged into the message's payload. Parameters: announcementParams.
 */
export function announcementSql(gate?: { source: string; payloadFields: string }): AnnouncementSql {
  const from = gate ? ` from ${gate.source}` : '';
  return {
    cte: `pending as (insert into seat_change_pending ${PENDING_COLUMNS} select ?, ?, ?::jsonb, ?, ?${from})`,
    final: `insert into outbox (${OUTBOX_INSERT_COLUMNS.join(', ')}) select ?, ?, ?, ?, ?, ?::jsonb${gate ? ` || ${gate.payloadFields}` : ''}, ?, ?${from}`,
  };
}

const UNGATED = announcementSql();
const ANNOUNCE_SQL = `with ${UNGATED.cte} ${UNGATED.final}`;

export interface AnnounceOptions {
  /** Seat map versions per event kept in seat_change_log; default 1,000. */
  keep?: number;
}

/**
 * Announces a seat change (see ANNOUNCE_SQL). Its seat map version exists once the transaction
 * commits: the message's `seatMapVersion` is 0 until then.
 */
export async function announceSeatChange<Payload extends SeatChange>(
  tx: EntityManager,
  type: string,
  change: Omit<Payload, 'seatMapVersion'>,
  options: AnnounceOptions = {},
): Promise<void> {
  await tx.execute(ANNOUNCE_SQL, announcementParams<Payload>(type, change, options));
}

/** The parameters of announcementSql's text, in order, for a seat change. */
export function announcementParams<Payload extends SeatChange>(type: string, change: Omit<Payload, 'seatMapVersion'>, options: AnnounceOptions = {}): unknown[] {
  const keep = options.keep ?? 1_000;
  const pruneEvery = Math.min(64, Math.max(1, Math.floor(keep / 4)));
  const live = seatChangeOf(type, { ...change, seatMapVersion: 0 } as unknown as BookingCreatedPayload);
  const envelope = createEnvelope({ type, key: change.eventId, payload: { ...change, seatMapVersion: 0 } });
  return [change.eventId, envelope.id, live ? JSON.stringify(live.seats) : null, keep, pruneEvery, ...outboxRowValues(envelope)];
}
