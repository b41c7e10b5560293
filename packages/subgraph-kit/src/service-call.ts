import type http from 'node:http';
import { GraphQLError } from 'graphql';
import { appError, ErrorCode, hasContractCode } from '@eventix/errors';
import { sendJson, type Route } from './graphql-http';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential, verifyInternalCredential, type Caller } from './internal-credential';

/**
 * Synchronous calls between subgraphs, for the few steps that cannot wait for a message (the
 * payment side taking a booking's hold before it charges a card). They carry the caller's
 * identity in the same kind of internal credential the gateway signs, but for an audience of
 * their own (`<subgraph>.internal`): a gateway credential cannot reach these routes, and a
 * service credential cannot run GraphQL on the target. Answers are JSON: `{ ok: true, result }`
 * or `{ ok: false, error: { code, message } }` with a contract code.
 */
export const internalAudience = (subgraph: string) => `${subgraph}.internal`;

type ServiceAnswer<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string; extensions?: Record<string, unknown> } };

/** Serves one internal route: checks the credential, runs `handle`, answers contract errors as such. */
export function serviceRoute<In, Out>(secret: string, subgraph: string, handle: (caller: Caller, input: In) => Promise<Out>, log: (m: string) => void): Route {
  return async (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const token = req.headers[INTERNAL_CREDENTIAL_HEADER];
    let caller: Caller;
    try {
      if (typeof token !== 'string') throw new Error('missing');
      caller = await verifyInternalCredential(secret, token, internalAudience(subgraph));
    } catch {
      sendJson(res, 401, { ok: false, error: { code: ErrorCode.UNAUTHENTICATED, message: 'internal routes need a service credential' } });
      return;
    }
    let input: In;
    try {
      input = JSON.parse(body.toString('utf8')) as In;
    } catch {
      sendJson(res, 400, { ok: false, error: { code: ErrorCode.BAD_USER_INPUT, message: 'body must be JSON' } });
      return;
    }
    try {
      sendJson(res, 200, { ok: true, result: await handle(caller, input) } satisfies ServiceAnswer<Out>);
    } catch (error) {
      if (error instanceof GraphQLError && hasContractCode(error)) {
        const { http: _http, code, ...extensions } = error.extensions as Record<string, unknown>;
        sendJson(res, 200, { ok: false, error: { code: String(code), message: error.message, extensions } } satisfies ServiceAnswer<Out>);
        return;
      }
      log(`internal route ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      // Most likely the database: the caller treats 503 as "try again", never as an answer.
      sendJson(res, 503, { ok: false, error: { code: ErrorCode.SERVICE_UNAVAILABLE, message: 'try again' } });
    }
  };
}

export interface ServiceClientOptions {
  /** The target subgraph's name (its internal audience) and base URL (scheme, host, port). */
  subgraph: string;
  baseUrl: () => string;
  secret: string;
  timeoutMs: number;
}

/**
 * Calls another subgraph's internal route. Contract errors come back as the same GraphQL
 * errors; anything else — refused connection, timeout, 5xx — becomes SERVICE_UNAVAILABLE, so
 * the end user is told "try again", never a wrong final answer.
 */
export function serviceClient(options: ServiceClientOptions) {
  const unavailable = (detail: string) => {
    const error = appError(ErrorCode.SERVICE_UNAVAILABLE, 'This is briefly unavailable; please try again in a moment', { retryable: true });
    (error as { cause?: string }).cause = `${options.subgraph}: ${detail}`;
    return error;
  };
  return async function call<In, Out>(path: string, caller: Caller, input: In): Promise<Out> {
    const credential = await signInternalCredential(options.secret, caller, internalAudience(options.subgraph));
    let answer: ServiceAnswer<Out>;
    try {
      const response = await fetch(new URL(path, options.baseUrl()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_CREDENTIAL_HEADER]: credential },
        body: JSON.stringify(input),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
      answer = (await response.json()) as ServiceAnswer<Out>;
    } catch (error) {
      throw unavailable(error instanceof Error ? error.message : String(error));
    }
    if (answer.ok) return answer.result;
    if (answer.error.code === ErrorCode.UNAUTHENTICATED) throw unavailable('service credential refused (INTERNAL_JWT_SECRET differs?)');
    throw appError(answer.error.code as ErrorCode, answer.error.message, answer.error.extensions ?? {});
  };
}

export type ServiceCall = ReturnType<typeof serviceClient>;
