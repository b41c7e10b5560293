/**
 * Runtime configuration, read from /config.json when the app starts (web/server writes it from
 * its options; `npm start` points it at the gateway). Nothing about the gateway is built in.
 */
export type AuthConfig =
  | { kind: 'dev' }
  | { kind: 'auth0'; domain: string; clientId: string; audience: string };

export interface RuntimeConfig {
  /** The gateway's GraphQL endpoint over HTTP, e.g. http://127.0.0.1:4000/graphql */
  gatewayUrl: string;
  /** graphql-ws endpoint; defaults to gatewayUrl with ws(s):// */
  wsUrl?: string;
  auth: AuthConfig;
  /** The booking service's per-booking maximum (MAX_SEATS_PER_BOOKING, default 10) */
  maxSeatsPerBooking?: number;
}

export interface AppConfig extends Required<Omit<RuntimeConfig, 'auth'>> {
  auth: AuthConfig;
  devTokenUrl: string;
}

export function resolveConfig(raw: RuntimeConfig): AppConfig {
  if (!raw || typeof raw.gatewayUrl !== 'string') throw new Error('config.json has no gatewayUrl');
  const gatewayUrl = raw.gatewayUrl;
  return {
    gatewayUrl,
    wsUrl: raw.wsUrl ?? gatewayUrl.replace(/^http/, 'ws'),
    auth: raw.auth ?? { kind: 'dev' },
    maxSeatsPerBooking: raw.maxSeatsPerBooking ?? 10,
    devTokenUrl: `${gatewayUrl.replace(/\/graphql\/?$/, '')}/dev/token`,
  };
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return resolveConfig((await res.json()) as RuntimeConfig);
}
