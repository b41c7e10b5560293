import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionResult } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
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

describe('direct frames on a real ws connection (the whole frame written to the TCP socket)', () => {
  let server: WebSocketServer;
  let client: WebSocket;
  let serverSocket: WebSocket;
  const received: string[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    await new Promise((resolve) => server.once('listening', resolve));
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('message', (data: Buffer, isBinary: boolean) => received.push(`${isBinary ? 'binary' : 'text'}:${data.toString('utf8')}`));
    serverSocket = await accepted;
    await new Promise((resolve) => client.once('open', resolve));
  });
  afterAll(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => received.splice(0));

  const until = async (count: number) => {
    for (let i = 0; i < 200 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return received;
  };
  /** An event whose frame (with the 38-byte prefix) carries about `bytes` bytes; 0: the smallest. */
  const eventOf = (bytes: number): ExecutionResult => (bytes ? { data: { seatAvailabilityChanged: { eventId: 'e1', seatMapVersion: bytes, note: 'é'.repeat(bytes / 2) } } } : { data: { x: 1 } });

  it.each([
    ['a short frame (7-bit length)', 0],
    ['a frame with a 16-bit length', 4_000],
    ['a frame with a 64-bit length', 140_000],
  ])('delivers %s byte for byte as graphql-ws would, without going through ws.send', async (_name, bytes) => {
    const sink = frameSink(serverSocket, 'sub-1');
    expect(sink.direct).toBe(true);
    const viaWs = jest.spyOn(serverSocket, 'send');
    const result = eventOf(bytes);
    const length = sink.prefix.length + serializePayload(result).length;
    expect(length < 126 ? 'short' : length < 65_536 ? '16-bit' : '64-bit').toBe(bytes === 0 ? 'short' : bytes < 65_536 ? '16-bit' : '64-bit');
    expect(sendFrame(sink, serializePayload(result), 256)).toBe(true);
    expect(sendFrame(sink, serializePayload(result), 256)).toBe(true);
    expect(await until(2)).toEqual([`text:${graphqlWsNext('sub-1', result)}`, `text:${graphqlWsNext('sub-1', result)}`]);
    expect(viaWs).not.toHaveBeenCalled();
    viaWs.mockRestore();
  });

  it('keeps the order of a message ws still has queued: the event goes after it, through ws', async () => {
    const sink = frameSink(serverSocket, 'sub-1');
    // ws reads a Blob asynchronously and queues what is sent meanwhile.
    serverSocket.send(new Blob(['queued first']));
    expect(sendFrame(sink, serializePayload(eventOf(20)), 256)).toBe(true);
    expect(await until(2)).toEqual(['binary:queued first', `text:${graphqlWsNext('sub-1', eventOf(20))}`]);
  });
});
