import type { ExecutionResult } from 'graphql';

/** The part of a `ws` socket a subscriber's frames are written to. */
export interface FrameSocket {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the kernel (ws counts its own queue and the socket's). */
  readonly bufferedAmount: number;
  /** `binary: false`: a text frame, as graphql-ws sends (the bytes are UTF-8 JSON). */
  send(data: Buffer, options: { binary: false }): void;
}

/** `WebSocket.OPEN`, without importing ws here. */
const OPEN = 1;

/**
 * Where one graphql-ws subscription's events are written straight to its socket. graphql-ws
 * would build and stringify the same `next` message once per subscriber (and await each write);
 * a `next` message differs between subscribers only in its `id`, so the gateway serialises and
 * encodes the payload once per event and each subscriber adds only its own id's bytes in front.
 */
export interface FrameSink {
  socket: FrameSocket;
  /** `{"id":"<id>","type":"next","payload":` as UTF-8 — encoded once per subscription. */
  prefix: Buffer;
}

export function frameSink(socket: FrameSocket, id: string): FrameSink {
  return { socket, prefix: Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`) };
}

/**
 * The `next` payload exactly as graphql-ws writes it (errors through their toJSON), followed by
 * the message's closing brace, as UTF-8: serialised and encoded once for every subscriber of the
 * event.
 */
export function serializePayload(result: ExecutionResult): Buffer {
  const { errors, ...withoutErrors } = result;
  return Buffer.from(`${JSON.stringify(errors ? { ...withoutErrors, errors: errors.map((e) => e.toJSON()) } : withoutErrors)}}`);
}

/**
 * Writes one event to a subscriber: its prefix and the shared payload copied into one buffer
 * (no per-subscriber string or UTF-8 encoding). False when the subscriber is more than
 * `capacity` events of this size behind (what its socket has not written yet): the caller ends
 * its stream with SlowConsumerError, as the bounded buffer does on the other path, rather than
 * queue without bound. A socket that is closing takes nothing; its subscription is ending anyway.
 */
export function sendFrame(sink: FrameSink, payload: Buffer, capacity: number): boolean {
  if (sink.socket.readyState !== OPEN) return true;
  if (sink.socket.bufferedAmount > capacity * payload.length) return false;
  const frame = Buffer.allocUnsafe(sink.prefix.length + payload.length);
  sink.prefix.copy(frame, 0);
  payload.copy(frame, sink.prefix.length);
  sink.socket.send(frame, { binary: false });
  return true;
}
