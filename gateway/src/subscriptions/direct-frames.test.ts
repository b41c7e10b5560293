import { GraphQLError, type ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { frameSink, sendFrame, serializePayload, type FrameSocket } from './direct-frames';

/** A socket that records what it was sent; `bufferedAmount` is what it has not written yet. */
function fakeSocket(bufferedAmount = 0, readyState = 1): FrameSocket & { sent: string[] } {
  const sent: string[] = [];
  return {
    readyState,
    bufferedAmount,
    sent,
    send: (data, options) => {
      // A text frame, as graphql-ws sends.
      expect(options).toEqual({ binary: false });
      sent.push(data.toString('utf8'));
    },
  };
}

/** What graphql-ws itself writes for a `next` (its server spreads the result and toJSONs the errors). */
function graphqlWsNext(id: string, result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return stringifyMessage({ id, type: MessageType.Next, payload: { ...rest, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) } });
}

describe('direct frames (one serialisation per event, the subscription id spliced in)', () => {
  const data: ExecutionResult = { data: { seatAvailabilityChanged: { eventId: 'e1', seatMapVersion: 7, seats: [{ availability: 'HELD', seat: { id: 's"1', row: 'A', number: 1, price: '30.00' } }] } } };
  const failed: ExecutionResult = { data: null, errors: [new GraphQLError('The live update stream was interrupted', { extensions: { code: 'SERVICE_UNAVAILABLE' } })] };

  it.each([
    ['a data event', data],
    ['an error event', failed],
  ])('writes %s byte for byte as graphql-ws would, for each subscriber id', (_name, result) => {
    const payload = serializePayload(result);
    for (const id of ['1', 'a7f3-"quoted"-id']) {
      const socket = fakeSocket();
      expect(sendFrame(frameSink(socket, id), payload, 256)).toBe(true);
      expect(socket.sent).toEqual([graphqlWsNext(id, result)]);
    }
  });

  it('refuses a subscriber that is more than its capacity of events behind, and writes nothing to it', () => {
    const payload = serializePayload(data);
    const behind = fakeSocket(3 * payload.length + 1);
    expect(sendFrame(frameSink(behind, '1'), payload, 3)).toBe(false);
    expect(behind.sent).toEqual([]);
    const keepingUp = fakeSocket(3 * payload.length);
    expect(sendFrame(frameSink(keepingUp, '1'), payload, 3)).toBe(true);
    expect(keepingUp.sent).toHaveLength(1);
  });

  it('writes nothing to a socket that is closing', () => {
    const closing = fakeSocket(0, 2);
    expect(sendFrame(frameSink(closing, '1'), serializePayload(data), 256)).toBe(true);
    expect(closing.sent).toEqual([]);
  });
});
