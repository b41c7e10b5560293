import type { GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import type { Logger } from '@eventix/subgraph-kit';
import type { GatewayContext } from '../context';
import { useAccessLog } from './access-log';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const loggerAt = (info: jest.Mock, enabled = true) => ({ info, isLevelEnabled: (level: string) => enabled && level === 'info' }) as unknown as Logger;

async function logOne(singleResult: object, contextValue: object): Promise<{ info: jest.Mock; loggedBeforeAnswer: boolean }> {
  const info = jest.fn();
  const plugin = useAccessLog(loggerAt(info));
  const listener = (await plugin.requestDidStart!({ contextValue } as GraphQLRequestContext<GatewayContext>)) as GraphQLRequestListener<GatewayContext>;
  await listener.willSendResponse!({ response: { body: { kind: 'single', singleResult } }, operationName: 'MyBookings' } as never);
  // What the HTTP layer does next, in the same turn: write the answer. The line must not be on that path.
  const loggedBeforeAnswer = info.mock.calls.length > 0;
  await nextTurn();
  return { info, loggedBeforeAnswer };
}

describe('access log', () => {
  it('writes one line per operation after the answer, with request id, operation, user and outcome', async () => {
    const { info, loggedBeforeAnswer } = await logOne({ data: {} }, { requestId: 'req-12345678', caller: { userId: 'fan-1', permissions: [] } });
    expect(loggedBeforeAnswer).toBe(false);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toEqual({ requestId: 'req-12345678', operationName: 'MyBookings', user: 'fan-1', outcome: 'ok', durationMs: expect.any(Number) });
    expect(info.mock.calls[0][1]).toBe('graphql request');
  });

  it('names the first error code as the outcome', async () => {
    const { info } = await logOne({ errors: [{ message: 'x', extensions: { code: 'RATE_LIMITED' } }] }, { requestId: 'req-87654321', caller: { permissions: [] } });
    expect(info.mock.calls[0][0]).toMatchObject({ outcome: 'RATE_LIMITED', user: undefined });
  });

  it('does nothing per request when the logger is quieter than info (LOG_LEVEL=warn)', () => {
    const plugin = useAccessLog(loggerAt(jest.fn(), false));
    expect(plugin.requestDidStart).toBeUndefined();
  });
});
