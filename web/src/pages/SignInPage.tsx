import { useState, type FormEvent } from 'react';
import { useServices, useViewer } from '../context';
import { navigate } from '../router';

/** Development sign-in: any name, optionally with organizer permissions, from the dev issuer. */
export function SignInPage() {
  const { auth } = useServices();
  const viewer = useViewer();
  const [name, setName] = useState('');
  const [organizer, setOrganizer] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const next = new URLSearchParams(window.location.search).get('next') ?? '/';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Please enter a name to sign in as.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await auth.signInAs!(name.trim(), organizer ? ['catalog:write', 'tickets:verify'] : []);
      navigate(next.startsWith('/') ? next : '/');
    } catch (err) {
      setError(err instanceof Error && err.message.startsWith('Sign-in failed') ? err.message : 'We cannot reach Eventix to sign you in. Please try again.');
    } finally {
      setBusy(false);
    }
  };
  if (auth.kind !== 'dev') {
    return (
      <main className="page" id="main">
        <h1>Sign in</h1>
        <button type="button" onClick={() => void auth.signIn?.()}>
          Sign in with Auth0
        </button>
      </main>
    );
  }
  return (
    <main className="page" id="main">
      <h1>Sign in (development)</h1>
      {viewer && <p>You are signed in as {viewer.name}. Signing in again replaces that.</p>}
      <form onSubmit={(e) => void submit(e)} className="form" noValidate>
        <label htmlFor="sub">Sign in as</label>
        <input id="sub" name="sub" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} aria-describedby="sub-help" />
        <p id="sub-help" className="hint">
          Any name: the gateway's development token issuer signs a token for it.
        </p>
        <label className="check">
          <input type="checkbox" checked={organizer} onChange={(e) => setOrganizer(e.target.checked)} /> Organizer (may create venues and events)
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
