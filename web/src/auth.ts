import type { AppConfig } from './config';

/** Who is signed in, as the token says. */
export interface Viewer {
  sub: string;
  name: string;
  permissions: string[];
}

/**
 * Sign-in: in development a "sign in as" form asks the gateway's dev issuer (POST /dev/token)
 * for a token; with auth.kind "auth0" the Auth0 SPA SDK does the login (redirect flow) and
 * hands out access tokens for the configured audience. The rest of the app only asks for a token.
 */
export interface Auth {
  kind: AppConfig['auth']['kind'];
  viewer(): Viewer | undefined;
  token(): Promise<string | undefined>;
  signInAs?(sub: string, permissions: string[]): Promise<void>;
  signIn?(): Promise<void>;
  signOut(): Promise<void>;
  subscribe(listener: () => void): () => void;
}

const STORAGE_KEY = 'eventix.devToken';

export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
  return JSON.parse(json) as Record<string, unknown>;
}

function viewerOf(claims: Record<string, unknown>): Viewer {
  const permissions = Array.isArray(claims.permissions) ? claims.permissions.filter((p): p is string => typeof p === 'string') : [];
  const sub = String(claims.sub ?? '');
  return { sub, name: typeof claims.name === 'string' ? claims.name : sub, permissions };
}

function listeners() {
  const set = new Set<() => void>();
  return {
    notify: () => set.forEach((l) => l()),
    subscribe: (l: () => void) => {
      set.add(l);
      return () => void set.delete(l);
    },
  };
}

function expired(token: string): boolean {
  const exp = decodeClaims(token).exp;
  return typeof exp === 'number' && exp * 1000 < Date.now();
}

export function createDevAuth(config: AppConfig): Auth {
  const events = listeners();
  let token: string | undefined = localStorage.getItem(STORAGE_KEY) ?? undefined;
  let viewer: Viewer | undefined;
  const adopt = (next: string | undefined) => {
    token = next;
    viewer = undefined;
    if (next) {
      try {
        const claims = decodeClaims(next);
        if (expired(next)) throw new Error('expired');
        viewer = viewerOf(claims);
      } catch {
        token = undefined;
      }
    }
    if (token) localStorage.setItem(STORAGE_KEY, token);
    else localStorage.removeItem(STORAGE_KEY);
    events.notify();
  };
  adopt(token);
  return {
    kind: 'dev',
    viewer: () => viewer,
    token: async () => {
      // An expired token signs the user out rather than being refused again and again.
      if (token && viewer && expired(token)) adopt(undefined);
      return token;
    },
    async signInAs(sub, permissions) {
      const res = await fetch(config.devTokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, permissions }) });
      const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
      if (!res.ok || !body.token) throw new Error(body.error ? `Sign-in failed: ${body.error}.` : `Sign-in failed (the gateway answered ${res.status}).`);
      adopt(body.token);
    },
    async signOut() {
      adopt(undefined);
    },
    subscribe: events.subscribe,
  };
}

/** Auth0 mode (configuration only): loaded on demand so development builds do not pay for it. */
export async function createAuth0Auth(config: AppConfig & { auth: { kind: 'auth0' } }): Promise<Auth> {
  const { createAuth0Client } = await import('@auth0/auth0-spa-js');
  const events = listeners();
  const client = await createAuth0Client({
    domain: config.auth.domain,
    clientId: config.auth.clientId,
    authorizationParams: { audience: config.auth.audience, redirect_uri: window.location.origin },
    cacheLocation: 'localstorage',
  });
  if (/[?&]code=/.test(window.location.search) && /[?&]state=/.test(window.location.search)) {
    await client.handleRedirectCallback();
    window.history.replaceState({}, '', window.location.pathname);
  }
  let viewer: Viewer | undefined;
  const refresh = async () => {
    viewer = undefined;
    if (await client.isAuthenticated()) {
      const token = (await client.getTokenSilently()) ?? '';
      const user = await client.getUser();
      const claims = decodeClaims(token);
      viewer = { ...viewerOf(claims), name: user?.name ?? user?.email ?? String(claims.sub) };
    }
    events.notify();
  };
  await refresh();
  return {
    kind: 'auth0',
    viewer: () => viewer,
    token: async () => (viewer ? client.getTokenSilently() : undefined),
    signIn: () => client.loginWithRedirect(),
    async signOut() {
      await client.logout({ logoutParams: { returnTo: window.location.origin } });
    },
    subscribe: events.subscribe,
  };
}
