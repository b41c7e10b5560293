import { useEffect, useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { useServices, useViewer } from '../context';
import { plainSentence } from '../errors';
import {
  WebCreateEventDocument,
  WebCreateVenueDocument,
  WebEventSalesDocument,
  WebEventsDocument,
  WebPublishEventDocument,
  type WebCreateVenueMutation,
} from '../generated/operations';
import { Link } from '../router';
import { watchSeats } from '../seatmap/live';

interface SectionDraft {
  name: string;
  rows: string;
  seatsPerRow: string;
  price: string;
}

export function OrganizerPage() {
  const viewer = useViewer();
  if (!viewer?.permissions.includes('catalog:write')) {
    return (
      <main className="page" id="main">
        <h1>Organizer</h1>
        <p>
          This page is for organizers. <Link href="/sign-in?next=/organizer">Sign in</Link> with an organizer account.
        </p>
      </main>
    );
  }
  return <Organizer />;
}

function Organizer() {
  const { api } = useServices();
  const [venue, setVenue] = useState<WebCreateVenueMutation['createVenue']>();
  const [sections, setSections] = useState<SectionDraft[]>([{ name: 'Floor', rows: '10', seatsPerRow: '20', price: '49.00' }]);
  const [venueName, setVenueName] = useState('');
  const [city, setCity] = useState('');
  const [title, setTitle] = useState('');
  const [startsAt, setStartsAt] = useState(() => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 16));
  const [currency, setCurrency] = useState('EUR');
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const { data: events, refetch } = useQuery(WebEventsDocument, { variables: { first: 50 }, fetchPolicy: 'network-only' });
  const [watching, setWatching] = useState<string>();
  const [published, setPublished] = useState(0);

  const update = (i: number, field: keyof SectionDraft, value: string) => setSections((s) => s.map((sec, n) => (n === i ? { ...sec, [field]: value } : sec)));

  const createVenue = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { data } = await api.client.mutate({
        mutation: WebCreateVenueDocument,
        variables: { input: { name: venueName, city, sections: sections.map((s) => ({ name: s.name, rows: Number(s.rows), seatsPerRow: Number(s.seatsPerRow), price: Number(s.price).toFixed(2) })) } },
      });
      setVenue(data!.createVenue);
      setMessage(`Venue ${data!.createVenue.name} created with ${data!.createVenue.sections.length} section(s).`);
    } catch (err) {
      setError(plainSentence(err));
    }
  };

  const createEvent = async (e: FormEvent) => {
    e.preventDefault();
    if (!venue) return;
    setError(undefined);
    try {
      const { data } = await api.client.mutate({ mutation: WebCreateEventDocument, variables: { input: { venueId: venue.id, title, startsAt: new Date(startsAt).toISOString(), currency } } });
      setMessage(`Event ${data!.createEvent.title} created as a draft. Publish it to put it on sale.`);
      await refetch();
      setWatching(data!.createEvent.id);
    } catch (err) {
      setError(plainSentence(err));
    }
  };

  const publish = async (id: string) => {
    setError(undefined);
    try {
      await api.client.mutate({ mutation: WebPublishEventDocument, variables: { id } });
      setMessage('Published: the event is going on sale.');
      setPublished((n) => n + 1);
      await refetch();
    } catch (err) {
      setError(plainSentence(err));
    }
  };

  return (
    <main className="page" id="main">
      <h1>Organizer</h1>
      <p aria-live="polite">{message}</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <section className="panel" aria-labelledby="venue-heading">
        <h2 id="venue-heading">1. Create a venue</h2>
        <form onSubmit={(e) => void createVenue(e)} className="form">
          <label htmlFor="venue-name">Venue name</label>
          <input id="venue-name" value={venueName} onChange={(e) => setVenueName(e.target.value)} required />
          <label htmlFor="venue-city">City</label>
          <input id="venue-city" value={city} onChange={(e) => setCity(e.target.value)} required />
          <fieldset>
            <legend>Sections</legend>
            {sections.map((s, i) => (
              <div key={i} className="section-row">
                <label>
                  Name <input value={s.name} onChange={(e) => update(i, 'name', e.target.value)} required />
                </label>
                <label>
                  Rows <input type="number" min={1} max={200} value={s.rows} onChange={(e) => update(i, 'rows', e.target.value)} required />
                </label>
                <label>
                  Seats per row <input type="number" min={1} max={500} value={s.seatsPerRow} onChange={(e) => update(i, 'seatsPerRow', e.target.value)} required />
                </label>
                <label>
                  Price <input inputMode="decimal" value={s.price} onChange={(e) => update(i, 'price', e.target.value)} required />
                </label>
                {sections.length > 1 && (
                  <button type="button" onClick={() => setSections((all) => all.filter((_, n) => n !== i))} aria-label={`Remove section ${s.name || i + 1}`}>
                    Remove
                  </button>
                )}
              </div>
            ))}
            <button type="button" onClick={() => setSections((s) => [...s, { name: '', rows: '5', seatsPerRow: '20', price: '29.00' }])}>
              Add a section
            </button>
          </fieldset>
          <button type="submit" className="primary">
            Create venue
          </button>
        </form>
      </section>
      <section className="panel" aria-labelledby="event-heading">
        <h2 id="event-heading">2. Create an event</h2>
        {!venue ? (
          <p>Create a venue first.</p>
        ) : (
          <form onSubmit={(e) => void createEvent(e)} className="form">
            <p>At {venue.name}</p>
            <label htmlFor="event-title">Title</label>
            <input id="event-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
            <label htmlFor="event-starts">Starts at</label>
            <input id="event-starts" type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required />
            <label htmlFor="event-currency">Currency</label>
            <input id="event-currency" value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} required />
            <button type="submit" className="primary">
              Create event
            </button>
          </form>
        )}
      </section>
      <section className="panel" aria-labelledby="events-heading">
        <h2 id="events-heading">3. Publish and watch sales</h2>
        <table>
          <caption className="sr-only">Your events</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {events?.events.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{node.title}</td>
                <td>{node.status.toLowerCase().replace('_', ' ')}</td>
                <td>
                  {node.status === 'DRAFT' && (
                    <button type="button" onClick={() => void publish(node.id)}>
                      Publish {node.title}
                    </button>
                  )}{' '}
                  <button type="button" onClick={() => setWatching(node.id)} aria-pressed={watching === node.id}>
                    Live sales
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {watching && <LiveSales key={watching} eventId={watching} generation={published} />}
      </section>
    </main>
  );
}

/** Sold, held and available seats of one event, kept current by the seat subscription. */
function LiveSales({ eventId, generation }: { eventId: string; generation: number }) {
  const { api } = useServices();
  const [counts, setCounts] = useState<{ title: string; SOLD: number; HELD: number; AVAILABLE: number; other: number }>();
  useEffect(() => {
    const states = new Map<string, string>();
    let title = '';
    const publish = () => {
      const c = { title, SOLD: 0, HELD: 0, AVAILABLE: 0, other: 0 };
      for (const s of states.values()) {
        if (s === 'SOLD' || s === 'HELD' || s === 'AVAILABLE') c[s]++;
        else c.other++;
      }
      setCounts(c);
    };
    const watch = watchSeats(
      api.client,
      api.connection,
      eventId,
      async () => {
        const { data } = await api.client.query({ query: WebEventSalesDocument, variables: { eventId }, fetchPolicy: 'no-cache' });
        return { version: data.event?.seatMapVersion ?? null, data: data.event };
      },
      {
        snapshot({ data }) {
          states.clear();
          title = data?.title ?? '';
          for (const s of data?.seats ?? []) states.set(s.id, s.availability ?? 'UNKNOWN');
          publish();
        },
        changes(changes) {
          for (const c of changes) states.set(c.id, c.availability);
          publish();
        },
      },
    );
    // Seats going on sale after publishing are not seat changes: look again until they are.
    const poll = setInterval(() => {
      if ([...states.values()].some((s) => s !== 'SOLD' && s !== 'HELD' && s !== 'AVAILABLE')) watch.reload();
    }, 2_000);
    return () => {
      clearInterval(poll);
      watch();
    };
  }, [api, eventId, generation]);
  if (!counts) return <p role="status">Loading sales…</p>;
  return (
    <div className="sales" data-event-id={eventId}>
      <h3>Live sales: {counts.title}</h3>
      <dl>
        <dt>Sold</dt>
        <dd data-count="sold">{counts.SOLD}</dd>
        <dt>Held</dt>
        <dd data-count="held">{counts.HELD}</dd>
        <dt>Available</dt>
        <dd data-count="available">{counts.AVAILABLE}</dd>
        {counts.other > 0 && (
          <>
            <dt>Not on sale yet</dt>
            <dd>{counts.other}</dd>
          </>
        )}
      </dl>
      <p>
        <Link href={`/events/${eventId}`}>Open the seat map</Link>
      </p>
    </div>
  );
}
