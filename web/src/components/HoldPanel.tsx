import { useEffect, useRef, useState } from 'react';
import { useServices } from '../context';
import { errorCode, plainSentence } from '../errors';
import { minor, money } from '../format';
import { WebBookingByIdDocument, WebCancelDocument, WebPayDocument, type WebBookingFragment } from '../generated/operations';
import { Tickets } from './Tickets';

/** The simulated provider's test cards (PayBookingInput.paymentMethodToken). */
export const TEST_CARDS = [
  { token: 'tok_visa', label: 'Visa ending 4242 (test: succeeds)' },
  { token: 'tok_chargeDeclined', label: 'Card ending 0002 (test: declined)' },
  { token: 'tok_async', label: 'Card with 3-D Secure (test: bank confirms a few seconds later)' },
];

/** payBooking requires a token; for a free order any non-empty one will do (it is neither checked nor sent). */
const FREE_ORDER_TOKEN = 'none';

type Phase = { kind: 'held' } | { kind: 'paying' } | { kind: 'confirming' } | { kind: 'paid'; booking: WebBookingFragment } | { kind: 'released'; sentence: string };

export interface HoldPanelProps {
  booking: WebBookingFragment;
  /** The hold ended without tickets (declined, expired, cancelled): the seats are released. */
  onReleased?(sentence: string): void;
  onPaid?(booking: WebBookingFragment): void;
}

function useCountdown(expiresAt: string): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, Math.floor((new Date(expiresAt).getTime() - now) / 1000));
}

/** A hold on seats: its countdown, the card choice, Pay and Cancel; then the tickets. */
export function HoldPanel({ booking, onReleased, onPaid }: HoldPanelProps) {
  const { api } = useServices();
  const [card, setCard] = useState(TEST_CARDS[0].token);
  const [phase, setPhase] = useState<Phase>(booking.status === 'CONFIRMED' ? { kind: 'paid', booking } : { kind: 'held' });
  const [error, setError] = useState<string>();
  const left = useCountdown(booking.expiresAt);
  // A free order (0.00) needs no card: payBooking confirms it without charging anything.
  const free = minor(booking.totalAmount) === 0;
  const payKey = useRef(crypto.randomUUID());
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const release = (sentence: string) => {
    setPhase({ kind: 'released', sentence });
    onReleased?.(sentence);
  };

  useEffect(() => {
    if (phase.kind === 'held' && left === 0) release('Your hold on these seats has run out, so they were released. Select the seats again to book them.');
  }, [left, phase.kind]);

  /** After a payment is taken the booking confirms (and issues tickets) asynchronously. */
  const waitForTickets = async () => {
    const deadline = Date.now() + 90_000;
    while (mounted.current && Date.now() < deadline) {
      const { data } = await api.client.query({ query: WebBookingByIdDocument, variables: { id: booking.id }, fetchPolicy: 'network-only' }).catch(() => ({ data: undefined }));
      const current = data?.booking;
      if (current?.status === 'CONFIRMED' && current.tickets.length) {
        setPhase({ kind: 'paid', booking: current });
        onPaid?.(current);
        return;
      }
      if (current && (current.status === 'CANCELLED' || current.status === 'EXPIRED')) {
        release(
          current.cancellationReason === 'PAYMENT_FAILED'
            ? 'Your bank did not confirm the payment, so nothing was charged and the seats were released.'
            : 'This booking ended before the payment completed, so the seats were released.',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 700));
    }
    if (mounted.current) setError('The payment is taking longer than usual. Your tickets will appear under My bookings once it completes.');
  };

  const pay = async () => {
    setError(undefined);
    setPhase({ kind: 'paying' });
    try {
      const { data } = await api.client.mutate({ mutation: WebPayDocument, variables: { input: { bookingId: booking.id, paymentMethodToken: free ? FREE_ORDER_TOKEN : card, idempotencyKey: payKey.current } } });
      const status = data?.payBooking.status;
      if (status === 'FAILED') {
        release('Your card was declined, so nothing was charged and the seats were released. Try again with another card.');
        return;
      }
      setPhase({ kind: 'confirming' });
      await waitForTickets();
    } catch (e) {
      const code = errorCode(e);
      if (code === 'PAYMENT_DECLINED' || code === 'BOOKING_EXPIRED') {
        release(plainSentence(e));
        return;
      }
      // Another attempt may use a new key: this one failed before any charge was taken.
      if (code === 'RATE_LIMITED' || code === 'SERVICE_UNAVAILABLE') payKey.current = crypto.randomUUID();
      setError(plainSentence(e));
      setPhase({ kind: 'held' });
    }
  };

  const cancel = async () => {
    setError(undefined);
    try {
      await api.client.mutate({ mutation: WebCancelDocument, variables: { id: booking.id } });
      release('You cancelled the hold and the seats were released.');
    } catch (e) {
      setError(plainSentence(e));
    }
  };

  const items = [...booking.items].sort((a, b) => a.seat.row.localeCompare(b.seat.row) || a.seat.number - b.seat.number);
  const seats = items.map((i) => `Section ${i.seat.section.name}, row ${i.seat.row}, seat ${i.seat.number}`);
  return (
    <section className="panel hold" aria-labelledby={`hold-${booking.id}`} data-booking-id={booking.id} data-phase={phase.kind}>
      <h2 id={`hold-${booking.id}`}>{phase.kind === 'paid' ? 'Your tickets' : 'Your seats are held'}</h2>
      <ul>
        {items.map((i, n) => (
          <li key={i.seat.id}>
            {seats[n]} — {money(i.price, booking.currency)}
          </li>
        ))}
      </ul>
      <p>
        Total: <strong>{money(booking.totalAmount, booking.currency)}</strong>
      </p>
      {(phase.kind === 'held' || phase.kind === 'paying') && (
        <>
          <p className="countdown" aria-live="off">
            Held for you for{' '}
            <strong data-seconds-left={left}>
              {Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}
            </strong>{' '}
            more.
          </p>
          {!free && (
            <fieldset>
              <legend>Pay with a test card</legend>
              {TEST_CARDS.map((c) => (
                <label key={c.token} className="radio">
                  <input type="radio" name={`card-${booking.id}`} value={c.token} checked={card === c.token} onChange={() => setCard(c.token)} /> {c.label}
                </label>
              ))}
            </fieldset>
          )}
          <div className="actions">
            <button type="button" className="primary" disabled={phase.kind === 'paying'} onClick={() => void pay()}>
              {free ? (phase.kind === 'paying' ? 'Booking…' : 'Get free tickets') : phase.kind === 'paying' ? 'Paying…' : `Pay ${money(booking.totalAmount, booking.currency)}`}
            </button>
            <button type="button" disabled={phase.kind === 'paying'} onClick={() => void cancel()}>
              Cancel hold
            </button>
          </div>
        </>
      )}
      {phase.kind === 'confirming' && <p role="status">{free ? 'Your tickets are being issued…' : 'Payment taken. Your bank is confirming it and your tickets are being issued…'}</p>}
      {phase.kind === 'paid' && (
        <>
          <p role="status">{free ? 'Booked. Enjoy the show!' : 'Paid. Enjoy the show!'}</p>
          <Tickets tickets={phase.booking.tickets} />
        </>
      )}
      {phase.kind === 'released' && (
        <p role="alert" className="error">
          {phase.sentence}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
