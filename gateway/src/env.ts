import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { envBoolean, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';
import { DEFAULT_ADMISSION } from './http/admission';
import { invalidOrigins } from './http/cors';
import { repoFile } from './partners/paths';
import { DEFAULT_LIMITS } from './plugins/operation-limits';
import { DEFAULT_LEASE_PERCENT } from './plugins/rate-limit-lease';
import { DEFAULT_SUBGRAPH_CONNECTIONS } from './subgraph-fetch/http-client';

const schema = z
  .object({
    GATEWAY_PORT: envPort(4000),
    GATEWAY_HOST: z.string().default('127.0.0.1'),
    CATALOG_URL: envUrl(['http', 'https']).default('http://127.0.0.1:4001/graphql'),
    BOOKING_URL: envUrl(['http', 'https']).default('http://127.0.0.1:4002/graphql'),
    PAYMENT_URL: envUrl(['http', 'https']).default('http://127.0.0.1:4003/graphql'),
    INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (shared with the subgraphs)'),
    AUTH0_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'must be a host name such as your-tenant.eu.auth0.com')
      .optional(),
    AUTH0_AUDIENCE: z.string().optional(),
    /**
     * The `iss` tokens must carry, when it is not `https://AUTH0_DOMAIN/` (an Auth0 custom
     * domain, or a local HTTPS stand-in in tests). Must end with `/` as Auth0's does.
     */
    AUTH0_ISSUER_URL: envUrl(['https']).optional(),
    /** Where the signing keys are published; defaults to `<issuer>.well-known/jwks.json`. */
    AUTH0_JWKS_URL: envUrl(['https']).optional(),
    /** At most one JWKS refetch per this long for tokens with an unknown `kid` (jose's cooldown). */
    AUTH0_JWKS_COOLDOWN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Where the dev issuer keeps its signing key so tokens survive restarts. */
    DEV_ISSUER_KEY_FILE: z.string().optional(),
    SUPERGRAPH_PATH: z.string().default(() => committedSupergraphPath()),
    INTROSPECTION: envBoolean(false).optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    REDIS_URL: envUrl(['redis', 'rediss']).optional(),
    MAX_BODY_BYTES: z.coerce.number().int().min(1_000).max(10_000_000).default(100_000),
    LIMIT_DEPTH: z.coerce.number().int().min(1).max(50).default(DEFAULT_LIMITS.maxDepth),
    LIMIT_ALIASES: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_LIMITS.maxAliases),
    LIMIT_ROOT_FIELDS: z.coerce.number().int().min(1).max(100).default(DEFAULT_LIMITS.maxRootFields),
    LIMIT_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_LIMITS.maxDirectives),
    LIMIT_TOKENS: z.coerce.number().int().min(10).max(100_000).default(DEFAULT_LIMITS.maxTokens),
    LIMIT_COST: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxCost),
    LIMIT_LIST_SLICE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxSlice),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** createBooking and payBooking, per caller. */
    RATE_LIMIT_BOOKING_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** Share of a budget an instance takes from Redis ahead of need (ADR 0014); 0: every operation counted at Redis. */
    RATE_LIMIT_LEASE_PERCENT: z.coerce.number().min(0).max(10).default(DEFAULT_LEASE_PERCENT),
    /** Partners: id, safelist mode and budgets (reloaded on change). */
    PARTNERS_PATH: z.string().default(() => repoFile('gateway/partners.json')),
    /** The persisted query manifest partners run by id (reloaded on change). */
    PERSISTED_QUERIES_PATH: z.string().default(() => repoFile('schema/persisted-queries.json')),
    /** `partners`: only partners are held to the manifest (per their mode); `all`: first-party callers too. */
    SAFELIST_ENFORCE: z.enum(['partners', 'all']).default('partners'),
    /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
    TRUST_PROXY: envBoolean(false),
    /**
     * `off`: every subgraph fetch is a request of its own. `on` (default): concurrent identical
     * query fetches of the same caller identity share one (docs/adr/0011-subgraph-fetch-dedup.md).
     */
    GATEWAY_DEDUP: z.enum(['on', 'off']).default('on'),
    /** Memory (MiB) per gateway process for whole seat-map answers of published events, kept under their versions (ADR 0012); 0 turns the cache off. */
    SEAT_MAP_CACHE_MB: z.coerce.number().int().min(0).max(16_384).default(64),
    /** Most sockets open to each subgraph per gateway process. */
    GATEWAY_SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(4_096).default(DEFAULT_SUBGRAPH_CONNECTIONS),
    /** GraphQL requests one gateway process runs at once; more wait briefly, then are shed (429). */
    GATEWAY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_ADMISSION.maxInFlight),
    /** Requests that may wait for a slot; beyond this they are shed at once. */
    GATEWAY_MAX_QUEUED: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_ADMISSION.maxQueued),
    /** Longest wait for a slot before a request is shed. */
    GATEWAY_MAX_QUEUE_WAIT_MS: z.coerce.number().int().min(1).max(60_000).default(DEFAULT_ADMISSION.maxWaitMs),
    /** Gateway processes to run (node:cluster); 1 runs in-process. */
    GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    /**
     * Browser origins allowed to call the gateway (CORS), comma-separated: exact origins or
     * `scheme://host:*` for any port. Unset (or empty, as every variable) takes the mode's
     * default: local origins in development, none in production.
     */
    GATEWAY_CORS_ORIGINS: z
      .string()
      .transform((list) => list.split(',').map((entry) => entry.trim()).filter(Boolean))
      .refine((origins) => invalidOrigins(origins).length === 0, (origins) => ({ message: `not an origin such as https://app.example.com or http://localhost:*: ${invalidOrigins(origins).join(', ')}` }))
      .optional(),
  })
  .refine((v) => Boolean(v.AUTH0_DOMAIN) === Boolean(v.AUTH0_AUDIENCE), {
    path: ['AUTH0_AUDIENCE'],
    message: 'AUTH0_DOMAIN and AUTH0_AUDIENCE must be set together',
  })
  .refine((v) => v.NODE_ENV !== 'production' || Boolean(v.AUTH0_DOMAIN), {
    path: ['AUTH0_DOMAIN'],
    message: 'production needs a real token issuer (the dev issuer is off in production)',
  });

/** schema/supergraph.graphql of the repository, found from sources and builds alike. */
export function committedSupergraphPath(from = __dirname): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schema/supergraph.graphql');
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve('schema/supergraph.graphql');
}

/** In development any local port may serve the SPA (Vite, a second checkout); production names its origins. */
export const DEV_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

export type GatewayConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  const production = vars.NODE_ENV === 'production';
  return {
    http: { port: vars.GATEWAY_PORT, host: vars.GATEWAY_HOST },
    subgraphUrls: { catalog: vars.CATALOG_URL, booking: vars.BOOKING_URL, payment: vars.PAYMENT_URL },
    internalSecret: vars.INTERNAL_JWT_SECRET,
    auth: vars.AUTH0_DOMAIN
      ? ({
          kind: 'auth0',
          domain: vars.AUTH0_DOMAIN,
          audience: vars.AUTH0_AUDIENCE as string,
          issuer: vars.AUTH0_ISSUER_URL,
          jwksUrl: vars.AUTH0_JWKS_URL,
          jwksCooldownMs: vars.AUTH0_JWKS_COOLDOWN_MS,
        } as const)
      : ({ kind: 'dev', keyFile: vars.DEV_ISSUER_KEY_FILE } as const),
    supergraphPath: vars.SUPERGRAPH_PATH,
    introspection: vars.INTROSPECTION ?? !production,
    production,
    redisUrl: vars.REDIS_URL,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    limits: {
      maxDepth: vars.LIMIT_DEPTH,
      maxAliases: vars.LIMIT_ALIASES,
      maxRootFields: vars.LIMIT_ROOT_FIELDS,
      maxDirectives: vars.LIMIT_DIRECTIVES,
      maxTokens: vars.LIMIT_TOKENS,
      maxCost: vars.LIMIT_COST,
      defaultListSize: DEFAULT_LIMITS.defaultListSize,
      maxSlice: vars.LIMIT_LIST_SLICE,
    },
    rateLimits: {
      general: { limit: vars.RATE_LIMIT_PER_MINUTE, windowSeconds: 60 },
      mutations: {
        createBooking: { limit: vars.RATE_LIMIT_BOOKING_PER_MINUTE, windowSeconds: 60 },
        payBooking: { limit: vars.RATE_LIMIT_BOOKING_PER_MINUTE, windowSeconds: 60 },
      },
      leasePercent: vars.RATE_LIMIT_LEASE_PERCENT,
    },
    partners: { partnersPath: vars.PARTNERS_PATH, manifestPath: vars.PERSISTED_QUERIES_PATH, enforce: vars.SAFELIST_ENFORCE },
    trustProxy: vars.TRUST_PROXY,
    workers: vars.GATEWAY_WORKERS,
    subgraphFetch: { dedup: vars.GATEWAY_DEDUP === 'on', connections: vars.GATEWAY_SUBGRAPH_CONNECTIONS },
    seatMapCacheBytes: vars.SEAT_MAP_CACHE_MB * 1024 * 1024,
    admission: { maxInFlight: vars.GATEWAY_MAX_IN_FLIGHT, maxQueued: vars.GATEWAY_MAX_QUEUED, maxWaitMs: vars.GATEWAY_MAX_QUEUE_WAIT_MS },
    cors: { origins: vars.GATEWAY_CORS_ORIGINS ?? (production ? [] : DEV_CORS_ORIGINS) },
  };
}

export const loadGatewayConfig = (env?: EnvSource) => loadConfig('gateway', schema, toConfig, env);
