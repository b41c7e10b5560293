import http from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from '@eventix/errors';

/** A plain route beside /graphql (health checks, webhooks, the dev token issuer). */
export type Route = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => Promise<void> | void;

export interface GraphQLHttpOptions<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  context: (req: http.IncomingMessage) => Promise<Context>;
  /** `METHOD /path` → handler, e.g. `'GET /health'`. */
  routes?: Record<string, Route>;
  /**
   * Largest request body accepted, in bytes; larger ones get 413 before any parsing. A function
   * decides per request (a subgraph admits the gateway's large `_entities` batches only with the
   * internal credential).
   */
  maxBodyBytes?: number | ((req: http.IncomingMessage) => number | Promise<number>);
  log?: (message: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 1_000_000;

export class BodyTooLargeError extends Error {
  constructor(
    message: string,
    /** Resolves once the rest of the refused body has been read and discarded, or cut off. */
    readonly drained: Promise<void>,
  ) {
    super(message);
  }
}

/**
 * Reads a request body, refusing it as soon as it grows past `limit`. The rest of a refused
 * body is read and discarded, up to `limit` bytes more, so the client (still uploading) gets to
 * read the 413: closing on it mid-upload makes the client see a reset instead of the answer
 * (a 10 MB `_entities` body did). A body going on past that is cut off (the socket destroyed).
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let drainedNow = () => undefined as void;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > 2 * limit) {
          req.destroy();
          drainedNow();
        }
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        const drained = new Promise<void>((done) => (drainedNow = done));
        reject(new BodyTooLargeError(`request body exceeds ${limit} bytes`, drained));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
      else drainedNow();
    });
    req.on('close', () => drainedNow());
    req.on('error', reject);
  });
}

/** Media types a POSTed GraphQL request may use: JSON, as GraphQL over HTTP specifies. */
const JSON_MEDIA_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/** `application/json; charset=utf-8` → `application/json`; '' when absent. */
const mediaType = (header: string | undefined) => (header ?? '').split(';')[0].trim().toLowerCase();

/**
 * The body of a transport refusal (the request itself is unusable, so no GraphQL runs): the
 * registry's BAD_REQUEST, or INTERNAL_SERVER_ERROR for our own failure.
 */
const refusal = (message: string, code: ErrorCode = ErrorCode.BAD_REQUEST) => ({ errors: [{ message, extensions: { code } }] });

/**
 * Answers 413 at once (a client still uploading may read it and stop) but ends the response only
 * when the refused body has been drained: ending earlier would close the socket with unread
 * input, which the client sees as a reset. `connection: close` because the connection may be
 * cut off (see readBody): a client that had pooled it would send its next request into a socket
 * about to close and see "other side closed" (the gateway's own test client did).
 */
function refuseTooLarge(res: http.ServerResponse, error: BodyTooLargeError): void {
  const body = JSON.stringify(refusal(error.message));
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
  res.write(body);
  void error.drained.then(() => res.end());
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A node:http request listener serving Apollo Server at /graphql plus a few plain routes — the
 * same job as Apollo's standalone server, but we keep the http.Server (graphql-ws attaches to
 * it) and control body limits and extra routes.
 */
export function graphqlRequestListener<Context extends BaseContext>(options: GraphQLHttpOptions<Context>): http.RequestListener {
  const limitOf = (req: http.IncomingMessage) => {
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    return typeof limit === 'function' ? limit(req) : limit;
  };
  return (req, res) => {
    void handle(req, res).catch((error: Error) => {
      if (error instanceof BodyTooLargeError) {
        if (!res.headersSent) refuseTooLarge(res, error);
        return;
      }
      options.log?.(`http: ${error.stack ?? error.message}`);
      if (!res.headersSent) sendJson(res, 500, refusal('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
    });
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = options.routes?.[`${method} ${url.pathname}`];
    if (route) {
      const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, await limitOf(req));
      await route(req, body, res);
      return;
    }
    if (url.pathname !== '/graphql' && url.pathname !== '/') {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    // Only JSON bodies are GraphQL requests (GraphQL over HTTP; Apollo's own integrations parse
    // nothing else). A form or text/plain POST is what a cross-site page can send without a
    // preflight, so it is refused before the body is read, whatever headers it carries.
    if (method === 'POST' && !JSON_MEDIA_TYPES.has(mediaType(req.headers['content-type']))) {
      sendJson(res, 415, refusal('POST bodies must be application/json'), { accept: 'application/json, application/graphql-response+json', connection: 'close' });
      return;
    }
    const raw = method === 'POST' ? await readBody(req, await limitOf(req)) : Buffer.alloc(0);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendJson(res, 400, refusal('Request body is not valid JSON'));
        return;
      }
    }
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: () => options.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** Listens and resolves with the bound port (port 0 picks a free one, as tests do). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
