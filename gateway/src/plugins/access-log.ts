import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@eventix/subgraph-kit';
import type { GatewayContext } from '../context';

/**
 * One JSON line per operation: request id (the subgraphs log the same one), operation, user,
 * outcome (`ok` or the first error code) and duration. Logged on the next turn of the event
 * loop, once the answer has gone out: serializing the line and handing it to pino's stdout
 * destination (an `fs.write` on libuv's thread pool) was on every request's path (#16, one
 * connection).
 * Under LOG_LEVEL `warn` or quieter there is no line, and no per-request work for it.
 */
export function useAccessLog(logger: Logger): ApolloServerPlugin<GatewayContext> {
  if (!logger.isLevelEnabled('info')) return {};
  return {
    async requestDidStart({ contextValue }) {
      const started = Date.now();
      return {
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const line = { requestId: contextValue.requestId, operationName, user: contextValue.caller.userId, outcome: errors?.length ? errors[0].extensions?.code : 'ok', durationMs: Date.now() - started };
          setImmediate(() => logger.info(line, 'graphql request'));
        },
      };
    },
  };
}
