import type { EntityManager } from '@mikro-orm/postgresql';
import type { SeatAvailabilityChangeData } from './seat-change';

/** A change as a resuming subscriber receives it: `refetchRequired` when the log cannot fill a gap. */
export type ResumedChange = SeatAvailabilityChangeData & { refetchRequired?: boolean };

interface LoggedChanges {
  /** The event's seat map version now. */
  current: number;
  changes: SeatAvailabilityChangeData[];
}

/** Changes of an event after `afterVersion` from seat_change_log, with the version now (one snapshot). */
export async function readChangeLog(em: EntityManager, eventId: string, afterVersion: number): Promise<LoggedChanges> {
  const rows = await em.execute<Array<{ current: string; version: string | null; seats: SeatAvailabilityChangeData['seats'] | null }>>(
    `select e.seat_map_version as current, l.version, l.seats
       from event_projection e left join seat_change_log l on l.event_id = e.event_id and l.version > ?
      where e.event_id = ? order by l.version`,
    [afterVersion, eventId],
  );
  const current = Number(rows[0]?.current ?? 0);
  const changes = rows.filter((r) => r.version !== null).map((r) => ({ eventId, seatMapVersion: Number(r.version), seats: r.seats ?? [] }));
  return { current, changes };
}

/**
 * True when `changes` are every version from `afterVersion + 1` up to `upTo`, none missing. A
 * version ahead of the event's (a client of another database, or a typo) never reaches back.
 */
export function coversVersions(changes: readonly SeatAvailabilityChangeData[], afterVersion: number, upTo: number): boolean {
  if (afterVersion > upTo) return false;
  const wanted = changes.filter((c) => c.seatMapVersion <= upTo);
  return wanted.length === upTo - afterVersion && wanted.every((c, i) => c.seatMapVersion === afterVersion + 1 + i);
}

/**
 * A live seat map that resumes after a version (issue #15): first every logged change after
 * `afterVersion`, then the live stream, with no gap and no duplicate across the switch.
 *
 * Why nothing is missed: the live stream listens (`ready`) before the log is read. A change
 * committed before the read is in the log; one committed after it reaches Redis after the
 * listener is in place. Live changes at or below the last version sent are the overlap and
 * are dropped; a live change that skips versions (Redis delivers at most once) is filled from
 * the log. Whenever the log no longer reaches back far enough, the subscriber gets one message
 * with `refetchRequired: true`, no seats and the version to refetch at least, instead of a
 * silent gap; the stream then continues after that version.
 */
export async function* resumeSeatChanges(
  em: EntityManager,
  eventId: string,
  afterVersion: number,
  live: AsyncIterable<SeatAvailabilityChangeData> & { ready: Promise<void> },
): AsyncGenerator<ResumedChange> {
  const iterator = live[Symbol.asyncIterator]();
  const refetch = (version: number): ResumedChange => ({ eventId, seatMapVersion: version, seats: [], refetchRequired: true });
  try {
    await live.ready;
    let last = afterVersion;
    const logged = await readChangeLog(em, eventId, afterVersion);
    if (coversVersions(logged.changes, afterVersion, logged.current)) {
      for (const change of logged.changes) {
        yield change;
        last = change.seatMapVersion;
      }
    } else {
      yield refetch(logged.current);
      last = logged.current;
    }
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const change = next.value;
      if (change.seatMapVersion <= last) continue;
      if (change.seatMapVersion > last + 1) {
        const gap = await readChangeLog(em, eventId, last);
        if (coversVersions(gap.changes, last, change.seatMapVersion - 1)) {
          for (const missed of gap.changes.filter((c) => c.seatMapVersion < change.seatMapVersion)) yield missed;
        } else {
          yield refetch(change.seatMapVersion);
          last = change.seatMapVersion;
          continue;
        }
      }
      yield change;
      last = change.seatMapVersion;
    }
  } finally {
    await iterator.return?.();
  }
}
