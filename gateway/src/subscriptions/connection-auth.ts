import { randomUUID } from 'node:crypto';
import type { Context } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { GatewayContext } from '../context';
import { bearerToken, InvalidTokenError, type TokenVerifier, type VerifiedCaller } from '../auth/token-verifier';

/** Close codes clients can act on. */
export const CloseCode = { Forbidden: 4403, TokenExpired: 4401 } as const;

/** What the gateway keeps on a socket beside graphql-ws's own `socket` and `request`. */
export type SocketState = {
  /** The authenticated caller's context, set on connection_init; every subscription runs with it. */
  context?: GatewayContext;
  /** Closes the socket when the caller's token expires. */
  expiry?: NodeJS.Timeout;
};

export type SocketContext = Context<Record<string, unknown>, Extra & Partial<SocketState>>;

/** The token of connection_init's `authorization` param (either spelling); undefined when absent. */
function connectionToken(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const raw = params?.authorization ?? params?.Authorization;
  return bearerToken(typeof raw === 'string' ? raw : undefined);
}

/**
 * graphql-ws keeps connection_init's params for the socket's whole life. Once read, the token
 * (~600 bytes per signed-in socket) is needed no more — the caller it proved is kept in the
 * socket's context, and its expiry is a timer — so it is not kept beside them.
 */
function forgetToken(params: Readonly<Record<string, unknown>> | undefined): void {
  if (!params) return;
  Reflect.deleteProperty(params, 'authorization');
  Reflect.deleteProperty(params, 'Authorization');
}

/**
 * The request id of a socket's subscriptions. `randomUUID()` builds its text by concatenation,
 * which V8 keeps as a rope of ~20 pieces (~600 bytes) until something flattens it; kept for a
 * socket's whole life, it is flattened once here (`toLowerCase` returns it as one flat string).
 */
const socketRequestId = () => randomUUID().toLowerCase();

/** Closes the socket with 4401 once the token expires (never, for a token without `exp`). */
function closeOnExpiry(ctx: SocketContext, caller: VerifiedCaller): void {
  if (!caller.expiresAt) return;
  const ms = caller.expiresAt * 1000 - Date.now();
  ctx.extra.expiry = setTimeout(() => ctx.extra.socket.close(CloseCode.TokenExpired, 'Access token expired'), Math.max(0, ms));
}

/**
 * graphql-ws's `onConnect`: authenticates connection_init with the same token rules as HTTP.
 * `false` refuses the socket (graphql-ws closes it with 4403); a verifier outage is thrown, not
 * mistaken for a bad token.
 */
export function authenticateConnection(verify: () => TokenVerifier): (ctx: SocketContext) => Promise<boolean> {
  return async (ctx) => {
    try {
      // Live seat maps are for signed-in fans: a socket without a token is refused like a
      // bad one, so anonymous clients cannot hold thousands of connections open.
      const token = connectionToken(ctx.connectionParams);
      forgetToken(ctx.connectionParams);
      if (!token) return false;
      const caller = await verify()(token);
      const clientIp = ctx.extra.request.socket.remoteAddress ?? 'unknown';
      // graphql-ws keeps the upgrade request (headers, parser state) for the socket's whole
      // life; nothing reads it after this point, and across thousands of live sockets it is a
      // large share of each one's memory.
      Reflect.deleteProperty(ctx.extra, 'request');
      ctx.extra.context = { caller, clientIp, requestId: socketRequestId() };
      closeOnExpiry(ctx, caller);
      return true;
    } catch (error) {
      if (error instanceof InvalidTokenError) return false;
      throw error;
    }
  };
}

/** graphql-ws's `onDisconnect` / `onClose`: the expiry timer goes with the socket. */
export function clearExpiry(ctx: SocketContext): void {
  clearTimeout(ctx.extra.expiry);
}
