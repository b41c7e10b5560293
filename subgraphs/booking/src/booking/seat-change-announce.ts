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
const PENDING_CTE = `pending as (
    insert into seat_change_pending ${PENDING_COLUMNS} values (?, ?, ?::jsonb, ?, ?)
  )`;
const OUTBOX_INSERT = `insert into outbox (${OUTBOX_INSERT_COLUMNS.join(', ')}) values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)`;
const ANNOUNCE_SQL = `with ${PENDING_CTE} ${OUTBOX_INSERT}`;

/**
 * The announcement as the tail of a statement that also writes the change itself (a new hold:
 * booking, items and announcement in one round trip): `with <its CTEs>, ${cte} ${final}`, its
 * parameters after theirs.
 */
export interface SeatChangeAnnouncement {
  cte: string;
  final: string;
  params: unknown[];
}

export interface AnnounceOptions {
  /** Seat map versions per event kept in seat_change_log; default 1,000. */
  keep?: number;
  /**
   * Announce only if the caller's CTE `source` has a row (a statement that writes only when its
   * checks pass, one-statement-hold.ts), merging `payloadFields` (a jsonb expression that may
   * read the source's columns) into the message's payload.
   */
  from?: { source: string; payloadFields: string };
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
  await tx.execute(ANNOUNCE_SQL, seatChangeAnnouncement<Payload>(type, change, options).params);
}

/** A seat change's announcement (see ANNOUNCE_SQL) to end a statement of the caller's. */
export function seatChangeAnnouncement<Payload extends SeatChange>(type: string, change: Omit<Payload, 'seatMapVersion'>, options: AnnounceOptions = {}): SeatChangeAnnouncement {
  const keep = options.keep ?? 1_000;
  const pruneEvery = Math.min(64, Math.max(1, Math.floor(keep / 4)));
  const live = seatChangeOf(type, { ...change, seatMapVersion: 0 } as unknown as BookingCreatedPayload);
  const envelope = createEnvelope({ type, key: change.eventId, payload: { ...change, seatMapVersion: 0 } });
  const from = options.from;
  return {
    cte: from ? `pending as (insert into seat_change_pending ${PENDING_COLUMNS} select ?, ?, ?::jsonb, ?, ? from ${from.source})` : PENDING_CTE,
    final: from
      ? `insert into outbox (${OUTBOX_INSERT_COLUMNS.join(', ')}) select ?, ?, ?, ?, ?, ?::jsonb || ${from.payloadFields}, ?, ? from ${from.source}`
      : OUTBOX_INSERT,
    params: [change.eventId, envelope.id, live ? JSON.stringify(live.seats) : null, keep, pruneEvery, ...outboxRowValues(envelope)],
  };
}
