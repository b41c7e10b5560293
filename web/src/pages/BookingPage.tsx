import { useQuery } from '@apollo/client';
import { plainSentence } from '../errors';
import { WebBookingByIdDocument } from '../generated/operations';
import { Link } from '../router';
import { HoldPanel } from '../components/HoldPanel';
import { Tickets } from '../components/Tickets';

export function BookingPage({ bookingId }: { bookingId: string }) {
  const { data, loading, error } = useQuery(WebBookingByIdDocument, { variables: { id: bookingId }, fetchPolicy: 'network-only' });
  const booking = data?.booking;
  return (
    <main className="page" id="main">
      <h1>Booking</h1>
      {loading && !data && <p role="status">Loading…</p>}
      {error && <p role="alert" className="error">{plainSentence(error)}</p>}
      {data && !booking && <p>We could not find this booking. <Link href="/bookings">See my bookings</Link>.</p>}
      {booking && <p>{booking.event.title}</p>}
      {booking?.status === 'PENDING' && <HoldPanel booking={booking} />}
      {booking?.status === 'CONFIRMED' && <Tickets tickets={booking.tickets} />}
      {booking && (booking.status === 'CANCELLED' || booking.status === 'EXPIRED') && <p>This booking is {booking.status.toLowerCase()}.</p>}
      <p>
        <Link href="/bookings">Back to my bookings</Link>
      </p>
    </main>
  );
}
