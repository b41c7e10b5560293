import { useEffect, useState } from 'react';
import { useConnection, useServices, useViewer } from './context';
import { Link, match, usePath } from './router';
import { EventsPage } from './pages/EventsPage';
import { EventPage } from './pages/EventPage';
import { BookingsPage } from './pages/BookingsPage';
import { BookingPage } from './pages/BookingPage';
import { OrganizerPage } from './pages/OrganizerPage';
import { SignInPage } from './pages/SignInPage';
import { FixturePage } from './pages/FixturePage';

export function App() {
  const path = usePath();
  const viewer = useViewer();
  const { auth } = useServices();
  const isOrganizer = viewer?.permissions.includes('catalog:write');
  let page;
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/events') page = <EventsPage />;
  else if ((params = match('/events/:id', path))) page = <EventPage key={params.id} eventId={params.id} />;
  else if (path === '/bookings') page = <BookingsPage />;
  else if ((params = match('/bookings/:id', path))) page = <BookingPage key={params.id} bookingId={params.id} />;
  else if (path === '/organizer') page = <OrganizerPage />;
  else if (path === '/sign-in') page = <SignInPage />;
  else if (path === '/fixture/seat-map') page = <FixturePage />;
  else
    page = (
      <main className="page" id="main">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <Link href="/">See all events</Link>.
        </p>
      </main>
    );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <nav aria-label="Main">
          <Link href="/" className="brand">
            Eventix
          </Link>
          <Link href="/">Events</Link>
          <Link href="/bookings">My bookings</Link>
          {isOrganizer && <Link href="/organizer">Organizer</Link>}
        </nav>
        <div className="who">
          {viewer ? (
            <>
              <span>
                Signed in as <strong>{viewer.name}</strong>
              </span>
              <button type="button" onClick={() => void auth.signOut()}>
                Sign out
              </button>
            </>
          ) : auth.kind === 'auth0' ? (
            <button type="button" onClick={() => void auth.signIn?.()}>
              Sign in
            </button>
          ) : (
            <Link href="/sign-in">Sign in</Link>
          )}
        </div>
      </header>
      <ConnectionBanner />
      {page}
    </>
  );
}

function ConnectionBanner() {
  const { state, attempt, nextRetryAt } = useConnection();
  const [, tick] = useState(0);
  useEffect(() => {
    if (state === 'connected' || state === 'idle') return;
    const timer = setInterval(() => tick((t) => t + 1), 500);
    return () => clearInterval(timer);
  }, [state]);
  const neverConnected = state === 'connecting' && attempt > 0;
  if (state !== 'reconnecting' && !neverConnected) return <div role="status" className="sr-only" />;
  const seconds = nextRetryAt ? Math.max(0, Math.ceil((nextRetryAt - Date.now()) / 1000)) : 0;
  return (
    <div role="status" className="banner warning" data-connection="lost">
      {neverConnected ? 'We cannot reach live seat updates yet.' : 'Connection lost: live seat updates are paused.'} {seconds > 0 ? `Trying again in ${seconds} s…` : 'Reconnecting…'} The map refreshes
      when we are back.
    </div>
  );
}
