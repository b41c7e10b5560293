import type { ExecutionResult } from 'graphql';

/** The part of a `ws` socket a subscriber's frames are written to. */
export interface FrameSocket {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the kernel (ws counts its own queue and the socket's). */
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** `WebSocket.OPEN`, without importing ws here. */
const OPEN = 1;

/**
 * Where one graphql-ws subscription's events are written straight to its socket. graphql-ws
 * would build and stringify the same `next` message once per subscriber (and await each write);
 * a `next` message differs between subscribers only in its `id`, so the gateway serialises the
 * payload once per event and each subscriber adds only its own id around it.
 */
export interface FrameSink {
  socket: FrameSocket;
  /** `{"id":"<id>","type":"next","payload":` — computed once per subscription. */
  prefix: string;
}

export function frameSink(socket: FrameSocket, id: string): FrameSink {
  return { socket, prefix: `{"id":${JSON.stringify(id)},"type":"next","payload":` };
}

/**
 * The `next` payload exactly as graphql-ws writes it (errors through their toJSON), serialised
 * once for every subscriber of the event.
 */
export function serializePayload(result: ExecutionResult): string {
  const { errors, ...withoutErrors } = result;
  return JSON.stringify(errors ? { ...withoutErrors, errors: errors.map((e) => e.toJSON()) } : withoutErrors);
}

/**
 * Writes one event to a subscriber. False when the subscriber is more than `capacity` events
 * of this size behind (what its socket has not written yet): the caller ends its stream with
 * SlowConsumerError, as the bounded buffer does on the other path, rather than queue without
 * bound. A socket that is closing takes nothing; its subscription is ending anyway.
 */
export function sendFrame(sink: FrameSink, payload: string, capacity: number): boolean {
  if (sink.socket.readyState !== OPEN) return true;
  if (sink.socket.bufferedAmount > capacity * payload.length) return false;
  sink.socket.send(`${sink.prefix}${payload}}`);
  return true;
}
