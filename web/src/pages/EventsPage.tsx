import { useState } from 'react';
import { useQuery } from '@apollo/client';
import { WebEventPricesDocument, WebEventsDocument } from '../generated/operations';
import { plainSentence } from '../errors';
import { dateTime, fromMinor, minor, money } from '../format';
import { Link } from '../router';

export function EventsPage() {
  // Upcoming events only: sales close when an event starts. Fixed for the page's life, so the
  // query (and Apollo's cache entry) stays the same across renders.
  const [from] = useState(() => new Date().toISOString());
  const { data, loading, error, refetch } = useQuery(WebEventsDocument, { variables: { first: 50, from }, fetchPolicy: 'cache-and-network' });
  const events = data?.events.edges.map((e) => e.node) ?? [];
  return (
    <main className="page" id="main">
      <h1>Events</h1>
      {error && (
        <p role="alert" className="error">
          {plainSentence(error)} <button type="button" onClick={() => void refetch()}>Try again</button>
        </p>
      )}
      {loading && !data && <p role="status">Loading events…</p>}
      {data && !events.length && <p>No events are on sale right now. Check back soon.</p>}
      <ul className="cards">
        {events.map((event) => (
          <li key={event.id} className="card">
            <h2>
              <Link href={`/events/${event.id}`}>{event.title}</Link>
            </h2>
            <p>
              {event.venue.name}, {event.venue.city}
            </p>
            <p>
              <time dateTime={event.startsAt}>{dateTime(event.startsAt)}</time>
            </p>
            <p>
              <FromPrice eventId={event.id} currency={event.currency} /> ·{' '}
              {event.status === 'ON_SALE' || event.status === 'PUBLISHED'
                ? event.availableSeatCount === null || event.availableSeatCount === undefined
                  ? 'seats left unknown right now'
                  : `${event.availableSeatCount.toLocaleString('en')} seats left`
                : event.status === 'SOLD_OUT'
                  ? 'sold out'
                  : event.status.toLowerCase().replace('_', ' ')}
            </p>
          </li>
        ))}
      </ul>
    </main>
  );
}

/** The API has no from-price: the lowest seat price, computed from the event's seats. */
function FromPrice({ eventId, currency }: { eventId: string; currency: string }) {
  const { data } = useQuery(WebEventPricesDocument, { variables: { eventId }, fetchPolicy: 'cache-first' });
  const seats = data?.event?.seats;
  if (!seats) return <span>from …</span>;
  if (!seats.length) return <span>no seats</span>;
  const lowest = seats.reduce((low, s) => Math.min(low, minor(s.price)), Infinity);
  return <span>from {money(fromMinor(lowest), currency)}</span>;
}
