import type { ApolloClient } from '@apollo/client';
import { backoffMs, type Connection } from '../apollo';
import { WebSeatChangesDocument } from '../generated/operations';

export interface SeatChange {
  id: string;
  availability: string;
}

export interface Snapshot<T> {
  version: number | null;
  data: T;
}

export interface LiveHandlers<T> {
  /** A full picture of the event's seats (first load, a version gap, a reconnect). */
  snapshot(snapshot: Snapshot<T>, reason: 'initial' | 'gap' | 'reconnect'): void;
  /** Seats that changed, in order, with the version after them. */
  changes(changes: SeatChange[], version: number): void;
  error?(error: unknown): void;
}

/**
 * Keeps one event's seats current: subscribes first, then loads the snapshot, applies each
 * change whose seatMapVersion follows the last one, and reloads when a version is skipped (a
 * gap) or the connection comes back (changes sent meanwhile are lost).
 */
export function watchSeats<T>(
  client: ApolloClient<unknown>,
  connection: Connection,
  eventId: string,
  load: () => Promise<Snapshot<T>>,
  handlers: LiveHandlers<T>,
  options: { live?: boolean } = {},
): (() => void) & { reload(): void } {
  let version: number | null | undefined; // undefined: no snapshot yet
  let loading: Promise<void> | undefined;
  let reloadAgain = false;
  let closed = false;
  let pending: Array<{ version: number; seats: SeatChange[] }> = [];
  let loadFailures = 0;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;

  const apply = (change: { version: number; seats: SeatChange[] }) => {
    if (version === undefined || loading) {
      pending.push(change);
      return;
    }
    if (version !== null && change.version <= version) return; // already in the snapshot
    if (version !== null && change.version > version + 1) {
      pending.push(change);
      void reload('gap');
      return;
    }
    version = change.version;
    handlers.changes(change.seats, change.version);
  };

  const reload = (reason: 'initial' | 'gap' | 'reconnect'): Promise<void> => {
    if (loading) {
      reloadAgain = true;
      return loading;
    }
    loading = (async () => {
      try {
        const snapshot = await load();
        if (closed) return;
        loadFailures = 0;
        version = snapshot.version;
        handlers.snapshot(snapshot, reason);
      } catch (error) {
        if (closed) return;
        handlers.error?.(error);
        // A map that failed to load stays stale: try again with backoff.
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(() => void reload(reason), backoffMs(loadFailures++));
      } finally {
        loading = undefined;
      }
      if (closed) return;
      if (reloadAgain) {
        reloadAgain = false;
        await reload(reason);
        return;
      }
      const queued = pending.sort((a, b) => a.version - b.version);
      pending = [];
      for (const change of queued) apply(change);
    })();
    return loading;
  };

  // A refused subscription (e.g. the event is not open for booking yet: a retryable error) is
  // tried again with backoff, and the snapshot reloaded once it is back.
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  const subscribe = () => {
    subscription = client.subscribe({ query: WebSeatChangesDocument, variables: { eventId } }).subscribe({
      next(result) {
        failures = 0;
        const change = result.data?.seatAvailabilityChanged;
        if (!change) return;
        apply({ version: change.seatMapVersion, seats: change.seats.map((s) => ({ id: s.seat.id, availability: s.availability })) });
      },
      error(error) {
        if (closed) return;
        handlers.error?.(error);
        retryTimer = setTimeout(() => {
          if (closed) return;
          subscribe();
          void reload('reconnect');
        }, backoffMs(failures++));
      },
    });
  };
  // Live updates need a signed-in user (the gateway refuses anonymous sockets): without one,
  // only the snapshot.
  if (options.live !== false) subscribe();
  const offReconnect = connection.onReconnected(() => void reload('reconnect'));
  void reload('initial');
  const stop = () => {
    closed = true;
    clearTimeout(retryTimer);
    clearTimeout(reloadTimer);
    offReconnect();
    subscription?.unsubscribe();
  };
  return Object.assign(stop, { reload: () => void reload('gap') });
}
