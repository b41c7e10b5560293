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
 * What the direct path reads of ws's internals (ws 8.18, pinned in package.json) to write a
 * whole frame itself: the TCP socket, and the sender's state and queue. ws writes a frame as
 * two chunks (header, data) through cork/uncork — a `writev` and twice the stream bookkeeping
 * per subscriber; one buffer written as is makes the 1,000-subscriber loop ~15 % shorter
 * (README.md, Performance: live delivery rate). A frame ws has queued (it is reading a Blob or
 * compressing) must go out before ours, so the direct write is only used while ws's sender is
 * idle; otherwise ws sends.
 */
interface WsInternals {
  _socket?: { write(chunk: Buffer): boolean } | null;
  _sender?: { _state: number; _queue: unknown[] } | null;
  /** Negotiated extensions, e.g. "permessage-deflate"; "" when none. */
  extensions?: string;
}

/** ws's Sender state when nothing is in progress (lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;

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
  /**
   * True when frames may be written whole to the TCP socket (ws's internals are there and no
   * extension was negotiated: a compressed connection goes through ws). Fixed at the handshake.
   */
  direct: boolean;
}

export function frameSink(socket: FrameSocket, id: string): FrameSink {
  const ws = socket as FrameSocket & WsInternals;
  const direct = ws.extensions === '' && typeof ws._socket?.write === 'function' && Array.isArray(ws._sender?._queue);
  return { socket, prefix: Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`), direct };
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
 * (no per-subscriber string or UTF-8 encoding) — behind the frame header, written whole to the
 * TCP socket while ws has nothing queued, else handed to ws as the message. False when the
 * subscriber is more than `capacity` events of this size behind (what its socket has not written
 * yet): the caller ends its stream with SlowConsumerError, as the bounded buffer does on the
 * other path, rather than queue without bound. A socket that is closing takes nothing; its
 * subscription is ending anyway.
 */
export function sendFrame(sink: FrameSink, payload: Buffer, capacity: number): boolean {
  const { socket, prefix } = sink;
  if (socket.readyState !== OPEN) return true;
  if (socket.bufferedAmount > capacity * payload.length) return false;
  const length = prefix.length + payload.length;
  const ws = socket as FrameSocket & WsInternals;
  const whole = sink.direct && ws._sender!._state === SENDER_IDLE && ws._sender!._queue.length === 0;
  const head = whole ? textFrameHeaderLength(length) : 0;
  const frame = Buffer.allocUnsafe(head + length);
  if (whole) writeTextFrameHeader(frame, length);
  prefix.copy(frame, head);
  payload.copy(frame, head + prefix.length);
  if (whole) ws._socket!.write(frame);
  else socket.send(frame, { binary: false });
  return true;
}

/** Bytes of a server's (unmasked) frame header for a payload of `length` bytes (RFC 6455 5.2). */
function textFrameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** A final text frame's header, unmasked as a server sends, at the start of `frame`. */
function writeTextFrameHeader(frame: Buffer, length: number): void {
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
}
