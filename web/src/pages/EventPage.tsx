import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useServices, useViewer } from '../context';
import { errorCode, plainSentence } from '../errors';
import { dateTime, fromMinor, minor, money } from '../format';
import { WebHoldDocument, WebMyBookingsDocument, WebSeatMapDocument, type WebBookingFragment, type WebSeatMapQuery } from '../generated/operations';
import { Link } from '../router';
import { SeatMap } from '../seatmap/SeatMap';
import { SeatMapModel } from '../seatmap/model';
import { watchSeats } from '../seatmap/live';
import { HoldPanel } from '../components/HoldPanel';

type EventData = NonNullable<WebSeatMapQuery['event']>;

declare global {
  interface Window {
    /** Read-only view of the live map for browser tests and the bench. */
    __eventixSeatMap?: { version: number | null; availability(seatId: string): string | undefined; seatIds(): string[]; revision: number };
  }
}

/**
 * True from the moment `startsAt` has passed, re-rendering at that moment: sales close at the
 * start, and a page left open must say so then, not only after a reload.
 */
function useHasStarted(startsAt: string | undefined): boolean {
  const at = startsAt ? Date.parse(startsAt) : Number.NaN;
  const [started, setStarted] = useState(() => at <= Date.now());
  const [wake, setWake] = useState(0);
  useEffect(() => {
    if (Number.isNaN(at)) return;
    const left = at - Date.now();
    setStarted(left <= 0);
    if (left <= 0) return;
    // A timer's delay is a 32-bit number of ms (~24.8 days): further away, wake then and look again.
    const timer = setTimeout(() => setWake((n) => n + 1), Math.min(left, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [at, wake]);
  return started;
}

export function EventPage({ eventId }: { eventId: string }) {
  const { api, config } = useServices();
  const viewer = useViewer();
  const signedIn = Boolean(viewer);
  const [event, setEvent] = useState<EventData | null>();
  const [model, setModel] = useState<SeatMapModel>();
  const [revision, setRevision] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [mine, setMine] = useState<ReadonlySet<number>>(new Set());
  const [booking, setBooking] = useState<WebBookingFragment>();
  const [announcement, setAnnouncement] = useState('');
  const [error, setError] = useState<string>();
  const [liveError, setLiveError] = useState<string>();
  const [holding, setHolding] = useState(false);
  const modelRef = useRef<SeatMapModel | undefined>(undefined);
  const versionRef = useRef<number | null>(null);
  const holdKey = useRef(crypto.randomUUID());

  /** Seats someone else took while they were in the selection leave it, with a sentence. */
  const dropTaken = useCallback((m: SeatMapModel) => {
    setSelected((current) => {
      const taken = [...current].filter((i) => m.availability(i) !== 'AVAILABLE');
      if (!taken.length) return current;
      const names = taken.map((i) => `row ${m.row[i]}, seat ${m.number[i]}`).join(' and ');
      setAnnouncement(`Someone else just took ${names}, so ${taken.length === 1 ? 'it was' : 'they were'} removed from your selection.`);
      return new Set([...current].filter((i) => !taken.includes(i)));
    });
  }, []);

  useEffect(() => {
    const load = async () => {
      const { data } = await api.client.query({ query: WebSeatMapDocument, variables: { eventId }, fetchPolicy: 'no-cache' });
      return { version: data.event?.seatMapVersion ?? null, data: data.event ?? null };
    };
    return watchSeats(api.client, api.connection, eventId, load, {
      snapshot({ data, version }, reason) {
        versionRef.current = version;
        setLiveError(undefined);
        setEvent(data);
        if (!data) return;
        const current = modelRef.current;
        if (current && current.n === data.seats.length && reason !== 'initial') {
          for (const seat of data.seats) {
            const i = current.indexOf(seat.id);
            if (i !== undefined) current.setAvailability(i, seat.availability ?? 'UNKNOWN');
          }
          dropTaken(current);
          setRevision((r) => r + 1);
        } else {
          const next = new SeatMapModel(data.seats, data.currency);
          modelRef.current = next;
          setModel(next);
          setSelected(new Set());
        }
        if (reason === 'reconnect') setAnnouncement('Live updates are back; the seat map is up to date.');
      },
      changes(changes, version) {
        versionRef.current = version;
        const m = modelRef.current;
        if (!m) return;
        let changed = false;
        for (const c of changes) {
          const i = m.indexOf(c.id);
          if (i !== undefined && m.setAvailability(i, c.availability)) changed = true;
        }
        if (changed) {
          dropTaken(m);
          setRevision((r) => r + 1);
        }
      },
      error(e) {
        setLiveError(`Live seat updates paused: ${plainSentence(e)} We keep trying.`);
      },
    }, { live: signedIn });
  }, [api, eventId, dropTaken, signedIn]);

  // A hold made earlier (another tab, a reload) is picked up again: its seats are yours and the
  // countdown and payment continue here.
  useEffect(() => {
    if (!signedIn || !model) return;
    let live = true;
    api.client
      .query({ query: WebMyBookingsDocument, variables: { first: 20 }, fetchPolicy: 'network-only' })
      .then(({ data }) => {
        const open = data.myBookings.edges.map((e) => e.node).find((b) => b.status === 'PENDING' && b.event.id === eventId && new Date(b.expiresAt).getTime() > Date.now());
        if (!live || !open) return;
        setBooking((current) => current ?? open);
        setMine((current) => (current.size ? current : new Set(open.items.map((it) => model.indexOf(it.seat.id)).filter((i): i is number => i !== undefined))));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, eventId, signedIn, model]);

  useEffect(() => {
    window.__eventixSeatMap = {
      get version() {
        return versionRef.current;
      },
      get revision() {
        return revision;
      },
      availability: (id) => {
        const m = modelRef.current;
        const i = m?.indexOf(id);
        return m && i !== undefined ? m.availability(i) : undefined;
      },
      seatIds: () => modelRef.current?.ids.slice() ?? [],
    };
  }, [revision]);

  // At the start, what the platform now answers (seats NOT_ON_SALE unless sold, holds refused)
  // is shown at once; a hold made before it can still be paid in its panel.
  const started = useHasStarted(event?.startsAt);
  useEffect(() => {
    const m = modelRef.current;
    if (!started || !m) return;
    for (let i = 0; i < m.n; i++) if (m.availability(i) !== 'SOLD') m.setAvailability(i, 'NOT_ON_SALE');
    setSelected(new Set());
    setRevision((r) => r + 1);
  }, [started, model]);

  const max = config.maxSeatsPerBooking;
  const toggle = useCallback(
    (i: number) => {
      const m = modelRef.current;
      if (!m || booking) return;
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(i)) {
          next.delete(i);
          setAnnouncement(`Removed row ${m.row[i]}, seat ${m.number[i]} from your selection.`);
        } else if (m.availability(i) !== 'AVAILABLE') {
          setAnnouncement(`Row ${m.row[i]}, seat ${m.number[i]} is ${m.availability(i) === 'SOLD' ? 'sold' : m.availability(i) === 'HELD' ? 'held by someone else' : 'not on sale'}; pick an available seat.`);
          return current;
        } else if (next.size >= max) {
          setAnnouncement(`You can hold up to ${max} seats in one booking.`);
          return current;
        } else {
          next.add(i);
          setAnnouncement(`Selected row ${m.row[i]}, seat ${m.number[i]}. ${next.size} of up to ${max} seats selected.`);
        }
        return next;
      });
    },
    [booking, max],
  );

  // Kept current from the live map (the API's availableSeatCount is as of loading).
  const seatsLeft = useMemo(() => {
    if (!model) return undefined;
    let n = 0;
    for (let i = 0; i < model.n; i++) if (model.state[i] === 0) n++;
    return n;
    // revision is a dependency on purpose: the model's states change in place
  }, [model, revision]);
  const total = useMemo(() => (model ? fromMinor([...selected].reduce((sum, i) => sum + minor(model.price[i]), 0)) : '0.00'), [model, selected]);

  const hold = async () => {
    const m = modelRef.current;
    if (!m || !selected.size) return;
    setError(undefined);
    setHolding(true);
    try {
      const { data } = await api.client.mutate({ mutation: WebHoldDocument, variables: { input: { eventId, seatIds: [...selected].map((i) => m.ids[i]), idempotencyKey: holdKey.current } } });
      const held = data!.createBooking;
      setBooking(held);
      setMine(new Set(held.items.map((it) => m.indexOf(it.seat.id)).filter((i): i is number => i !== undefined)));
      setSelected(new Set());
      setAnnouncement(`Held ${held.items.length} seats for you. Pay before the countdown ends.`);
    } catch (e) {
      setError(plainSentence(e));
      if (errorCode(e) !== 'RATE_LIMITED') holdKey.current = crypto.randomUUID();
    } finally {
      setHolding(false);
    }
  };

  const endHold = () => {
    setMine(new Set());
    holdKey.current = crypto.randomUUID();
  };

  if (event === undefined) {
    return (
      <main className="page" id="main">
        <p role="status">Loading the seat map…</p>
        {(error ?? liveError) && <p role="alert" className="error">{error ?? liveError}</p>}
      </main>
    );
  }
  if (event === null) {
    return (
      <main className="page" id="main">
        <h1>Event not found</h1>
        <p>
          This event does not exist or is not on sale. <Link href="/">See all events</Link>.
        </p>
      </main>
    );
  }
  const selection = model ? [...selected] : [];
  return (
    <main className="page event" id="main">
      <h1>{event.title}</h1>
      <p>
        {event.venue.name}, {event.venue.city} · <time dateTime={event.startsAt}>{dateTime(event.startsAt)}</time> ·{' '}
        <span data-testid="seats-left">{seatsLeft === undefined ? `${event.availableSeatCount ?? '—'} seats left` : `${seatsLeft.toLocaleString('en')} seat${seatsLeft === 1 ? '' : 's'} left`}</span>
      </p>
      {started ? (
        <p className="note" data-testid="sales-closed">
          This event has started: its sales are closed.
        </p>
      ) : (
        event.status !== 'ON_SALE' && <p className="note">This event is {event.status.toLowerCase().replace('_', ' ')}: seats cannot be booked right now.</p>
      )}
      <div className="event-layout">
        <section aria-labelledby="map-heading" className="map-area">
          <h2 id="map-heading">Seat map</h2>
          {model && <SeatMap model={model} revision={revision} selected={selected} mine={mine} onToggle={toggle} />}
        </section>
        <aside className="side">
          <p aria-live="polite" className="announce" data-testid="announcement">
            {announcement}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          {!signedIn && <p className="note">Sign in to see seats change live as others book them.</p>}
          {liveError && (
            <p role="status" className="note">
              {liveError}
            </p>
          )}
          {booking ? (
            <>
              <HoldPanel
                key={booking.id}
                booking={booking}
                onReleased={endHold}
                onPaid={() => setMine(new Set())}
              />
              <button type="button" onClick={() => { setBooking(undefined); endHold(); }}>
                Choose more seats
              </button>
            </>
          ) : (
            <section className="panel" aria-labelledby="selection-heading">
              <h2 id="selection-heading">Your selection</h2>
              {!selection.length ? (
                <p>Select up to {max} seats on the map.</p>
              ) : (
                <ul data-testid="selection">
                  {selection.map((i) => (
                    <li key={i}>
                      Section {model!.sections[model!.section[i]].name}, row {model!.row[i]}, seat {model!.number[i]} — {money(model!.price[i], event.currency)}{' '}
                      <button type="button" className="link" onClick={() => toggle(i)} aria-label={`Remove row ${model!.row[i]}, seat ${model!.number[i]}`}>
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              {selection.length > 0 && (
                <p>
                  Total: <strong>{money(total, event.currency)}</strong>
                </p>
              )}
              {viewer ? (
                <button type="button" className="primary" disabled={!selection.length || holding || started} onClick={() => void hold()}>
                  {holding ? 'Holding…' : selection.length ? `Hold ${selection.length} seat${selection.length === 1 ? '' : 's'}` : 'Hold seats'}
                </button>
              ) : (
                <p>
                  <Link href={`/sign-in?next=/events/${eventId}`}>Sign in</Link> to hold seats.
                </p>
              )}
            </section>
          )}
        </aside>
      </div>
    </main>
  );
}
