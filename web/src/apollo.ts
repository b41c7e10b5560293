import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client';
import { setContext } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import type { Auth } from './auth';
import type { AppConfig } from './config';

/**
 * idle: no live view needs the socket (it opens lazily, and only for signed-in users: the
 * gateway refuses anonymous sockets); connecting: the first attempt(s); connected;
 * reconnecting: it was up and went down.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting';

/**
 * The live connection's state for the banner, and a signal when it comes back after a loss
 * (seat maps then refetch: changes sent while it was down are gone).
 */
export class Connection {
  state: ConnectionState = 'idle';
  attempt = 0;
  nextRetryAt: number | undefined;
  private listeners = new Set<() => void>();
  private reconnectListeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => void this.reconnectListeners.delete(listener);
  }
  /** Ask every live view to reload (e.g. the browser is back online). */
  resync(): void {
    this.reconnectListeners.forEach((l) => l());
  }
  set(state: ConnectionState): void {
    const wasLost = state === 'connected' && this.state === 'reconnecting';
    if (state === 'connected' || state === 'idle') {
      this.attempt = 0;
      this.nextRetryAt = undefined;
    }
    // A socket that never came up is still "connecting", however often it is retried.
    if (state === 'reconnecting' && (this.state === 'connecting' || this.state === 'idle')) state = 'connecting';
    this.state = state;
    this.listeners.forEach((l) => l());
    if (wasLost) this.reconnectListeners.forEach((l) => l());
  }
  retrying(attempt: number, waitMs: number): void {
    this.attempt = attempt;
    this.nextRetryAt = Date.now() + waitMs;
    this.listeners.forEach((l) => l());
  }
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 15 s. */
export function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export interface Api {
  client: ApolloClient<unknown>;
  ws: Client;
  connection: Connection;
}

export function createApi(config: AppConfig, auth: Auth): Api {
  const connection = new Connection();
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const ws = createClient({
    url: config.wsUrl,
    // Opened by the first live view, closed (1000) when the last one goes.
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    async retryWait(retries) {
      const wait = backoffMs(retries);
      connection.retrying(retries + 1, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    },
    connectionParams: async () => {
      const token = await auth.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => {
        if (connection.state === 'idle') connection.set('connecting');
      },
      connected: () => connection.set('connected'),
      closed: (event) => {
        clearTimeout(pongTimer);
        const code = (event as { code?: number } | undefined)?.code;
        connection.set(code === 1000 ? 'idle' : 'reconnecting');
      },
      // A ping without a pong within 5 s means the network is gone: close, and retry.
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => ws.terminate(), 5_000);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
  // The browser knows first when the network goes: do not wait for the keep-alive.
  window.addEventListener('offline', () => {
    if (connection.state === 'idle') return;
    connection.set('reconnecting');
    ws.terminate();
  });
  // Back online: whatever the socket did meanwhile, reload the live views.
  window.addEventListener('online', () => connection.resync());
  // A new sign-in: reconnect so the socket carries the new token.
  auth.subscribe(() => ws.terminate());

  const http = setContext(async (_op, { headers }) => {
    const token = await auth.token();
    return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  }).concat(new HttpLink({ uri: config.gatewayUrl }));
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  const client = new ApolloClient({
    link,
    // Per-user data (myBookings, booking) is always read network-only, so nothing of one
    // user's shows after another signs in on the same browser.
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { myBookings: { keyArgs: false } } } } }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
  return { client, ws, connection };
}
