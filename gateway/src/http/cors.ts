import type http from 'node:http';

/** Headers a browser client may send: JSON bodies, the bearer token, Apollo's CSRF header, our request id. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'apollo-require-preflight', 'x-request-id'];
/** Response headers a browser client may read: the request id to quote, the rate-limit wait. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after'];
/** The paths a browser app calls with a preflight: GraphQL and, in development, the dev token endpoint. */
const PREFLIGHT_PATHS = new Set(['/graphql', '/dev/token']);
/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = 600;

/** `scheme://host`, `scheme://host:port`, or `scheme://host:*` for any port of that host. */
const ORIGIN_PATTERN = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?$/i;

/** Allowlist entries the pattern refuses (for configuration errors). */
export function invalidOrigins(allowlist: readonly string[]): string[] {
  return allowlist.filter((entry) => !ORIGIN_PATTERN.test(entry));
}

/**
 * Whether a browser origin is on the allowlist. Entries are exact origins or `scheme://host:*`;
 * the comparison ignores case (origins are case-insensitive in scheme and host).
 */
export function originMatcher(allowlist: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const entry of allowlist) {
    const match = ORIGIN_PATTERN.exec(entry);
    if (!match) continue;
    const base = `${match[1]}://${match[2]}`.toLowerCase();
    if (match[3] === '*') anyPort.add(base);
    else exact.add(entry.toLowerCase());
  }
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    const match = ORIGIN_PATTERN.exec(lower);
    return Boolean(match && match[3] !== '*' && anyPort.has(`${match[1]}://${match[2]}`));
  };
}

/**
 * CORS for browser apps served from another origin (the fan SPA): an allowed origin gets its
 * preflight (OPTIONS on /graphql and /dev/token) answered here with 204, and its other requests
 * the headers that let the page read the answer. Requests without an Origin header, or from
 * origins not on the allowlist, pass through untouched: without the headers a browser keeps
 * the response from the page, and non-browser clients never needed them.
 */
export function withCors(allowlist: readonly string[], next: http.RequestListener): http.RequestListener {
  const allowed = originMatcher(allowlist);
  return (req, res) => {
    const origin = req.headers.origin;
    if (!origin || !allowed(origin)) {
      next(req, res);
      return;
    }
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-origin', origin);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] && PREFLIGHT_PATHS.has(path)) {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
        'access-control-max-age': String(PREFLIGHT_MAX_AGE),
      });
      res.end();
      return;
    }
    res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    next(req, res);
  };
}
