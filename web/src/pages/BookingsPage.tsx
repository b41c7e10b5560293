import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { useViewer } from '../context';
import { plainSentence } from '../errors';
import { dateTime, minor, money } from '../format';
import { WebCancelDocument, WebMyBookingsDocument, type WebBookingFragment } from '../generated/operations';
import { Link } from '../router';
import { Tickets } from '../components/Tickets';

const STATUS: Record<string, string> = {
  PENDING: 'Held, waiting for payment',
  CONFIRMED: 'Paid',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Hold ran out',
};

const REASON: Record<string, string> = {
  USER: 'you cancelled it',
  PAYMENT_FAILED: 'the payment failed',
  EXPIRED: 'the hold ran out',
  EVENT_CANCELLED: 'the event was cancelled',
};

export function BookingsPage() {
  const viewer = useViewer();
  const { data, loading, error, refetch } = useQuery(WebMyBookingsDocument, { variables: { first: 50 }, fetchPolicy: 'network-only', skip: !viewer });
  if (!viewer) {
    return (
      <main className="page" id="main">
        <h1>My bookings</h1>
        <p>
          <Link href="/sign-in?next=/bookings">Sign in</Link> to see your bookings.
        </p>
      </main>
    );
  }
  const bookings = data?.myBookings.edges.map((e) => e.node) ?? [];
  return (
    <main className="page" id="main">
      <h1>My bookings</h1>
      {error && (
        <p role="alert" className="error">
          {plainSentence(error)} <button type="button" onClick={() => void refetch()}>Try again</button>
        </p>
      )}
      {loading && !data && <p role="status">Loading your bookings…</p>}
      {data && !bookings.length && (
        <p>
          You have no bookings yet. <Link href="/">Find an event</Link>.
        </p>
      )}
      <ul className="bookings">
        {bookings.map((b) => (
          <BookingCard key={b.id} booking={b} />
        ))}
      </ul>
    </main>
  );
}

function BookingCard({ booking }: { booking: WebBookingFragment }) {
  const [cancel, { loading }] = useMutation(WebCancelDocument);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  // A paid booking is no longer the fan's to cancel once a ticket was used or the show began
  // (the platform refuses it; the button would only lead to that refusal).
  const used = booking.tickets.some((t) => t.checkedInAt);
  const started = Date.parse(booking.event.startsAt) <= Date.now();
  const cancellable = booking.status === 'PENDING' || (booking.status === 'CONFIRMED' && !used && !started);
  const refundable = booking.status === 'CONFIRMED' && minor(booking.totalAmount) > 0;
  const doCancel = async () => {
    setError(undefined);
    try {
      await cancel({ variables: { id: booking.id } });
      setDone(refundable ? 'Cancelled. Your payment will be refunded.' : 'Cancelled. The seats were released.');
    } catch (e) {
      setError(plainSentence(e));
    } finally {
      setConfirming(false);
    }
  };
  return (
    <li className="card booking" data-booking-id={booking.id} data-status={booking.status}>
      <h2>{booking.event.title}</h2>
      <p>
        {booking.event.venue.name}, {booking.event.venue.city} · <time dateTime={booking.event.startsAt}>{dateTime(booking.event.startsAt)}</time>
      </p>
      <p>
        <strong className={`status ${booking.status.toLowerCase()}`}>{STATUS[booking.status] ?? booking.status}</strong>
        {booking.cancellationReason && ` (${REASON[booking.cancellationReason] ?? booking.cancellationReason.toLowerCase()})`}
        {booking.payment?.status === 'REFUNDED' && ' · refunded'} · {booking.items.length} seat{booking.items.length === 1 ? '' : 's'} · {money(booking.totalAmount, booking.currency)}
        {booking.ticketReference && ` · reference ${booking.ticketReference}`}
      </p>
      <ul>
        {booking.items.map((i) => (
          <li key={i.seat.id}>
            Section {i.seat.section.name}, row {i.seat.row}, seat {i.seat.number}
          </li>
        ))}
      </ul>
      <div className="actions">
        {booking.status === 'PENDING' && <Link href={`/bookings/${booking.id}`}>Pay now</Link>}
        {cancellable && !confirming && (
          <button type="button" onClick={() => setConfirming(true)} disabled={loading}>
            Cancel booking
          </button>
        )}
        {confirming && (
          <>
            <span>{refundable ? 'Cancel and get a refund?' : 'Release these seats?'}</span>
            <button type="button" className="danger" onClick={() => void doCancel()} disabled={loading}>
              Yes, cancel
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        )}
      </div>
      {done && <p role="status">{done}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {booking.status === 'CONFIRMED' && (
        <details>
          <summary>Show tickets ({booking.tickets.length})</summary>
          <Tickets tickets={booking.tickets} />
        </details>
      )}
    </li>
  );
}
