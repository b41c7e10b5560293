import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** What the app reads from /config.json (see web/src/config.ts). */
export interface WebRuntimeConfig {
  gatewayUrl: string;
  wsUrl?: string;
  auth?: { kind: 'dev' } | { kind: 'auth0'; domain: string; clientId: string; audience: string };
  maxSeatsPerBooking?: number;
}

export interface WebServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  config: WebRuntimeConfig;
  /** The built app (vite build); defaults to this workspace's dist/app. */
  distDir?: string;
}

export interface RunningWebServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** web/dist/app, from the built server (web/dist/server) or its sources (web/server, in tests). */
export const DEFAULT_DIST_DIR = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../app' : '../dist/app');

/**
 * Serves the built fan app: its files, /config.json from the options (so one build runs against
 * any gateway), and index.html for every other GET path (the app routes by path).
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const root = options.distDir ?? DEFAULT_DIST_DIR;
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) throw new Error(`the fan app is not built (${indexFile} is missing): run \`npm run build\``);
  // Read per request, so a rebuild (new asset names) is served without a restart; the last good
  // copy while a build rewrites it.
  let lastIndex = fs.readFileSync(indexFile);
  const index = () => {
    try {
      lastIndex = fs.readFileSync(indexFile);
    } catch {
      // keep the last good copy
    }
    return lastIndex;
  };
  const configBody = JSON.stringify({ auth: { kind: 'dev' }, ...options.config });
  const security = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...security }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://app').pathname);
    } catch {
      res.writeHead(400, security).end();
      return;
    }
    const send = (status: number, type: string, body: Buffer | string, cache: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': cache, ...security });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (pathname === '/config.json') return send(200, TYPES['.json'], configBody, 'no-store');
    if (pathname === '/healthz') return send(200, TYPES['.txt'], 'ok', 'no-store');
    const file = path.normalize(path.join(root, pathname));
    if (file.startsWith(root + path.sep) && !pathname.endsWith('/')) {
      fs.readFile(file, (error, body) => {
        if (!error) return send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        // A missing asset is a 404; any other path is a page of the app.
        if (path.extname(pathname) && pathname !== '/index.html') return send(404, TYPES['.txt'], 'not found', 'no-store');
        send(200, TYPES['.html'], index(), 'no-cache');
      });
      return;
    }
    send(200, TYPES['.html'], index(), 'no-cache');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}/`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
