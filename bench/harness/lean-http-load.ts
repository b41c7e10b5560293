import net from 'node:net';
import { newTally, resultOf, type HttpLoadResult } from './http-load';

export interface LeanHttpLoadOptions {
  /** Where to POST (a plain-HTTP GraphQL endpoint). */
  url: string;
  headers?: Record<string, string>;
  /** One JSON body for every request. */
  body: object;
  /** Keep-alive connections, each with one request in flight at a time (closed loop). */
  connections: number;
  durationMs: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A closed-loop keep-alive HTTP load that costs the machine as little as a Node client can:
 * the request's bytes are built once, and an answer is only framed (status line,
 * content-length or chunks), never parsed as HTTP headers or JSON. On a 2-core machine the load
 * generator competes with what it measures; `httpLoad` (undici) costs ~45 µs of CPU per request,
 * this one a fraction of that, which matters when the thing measured is how far the gateway
 * scales with a second core (target 3).
 * A non-2xx status or a body with `"errors"` counts as an error.
 */
export async function leanHttpLoad(opts: LeanHttpLoadOptions): Promise<HttpLoadResult> {
  const url = new URL(opts.url);
  const body = Buffer.from(JSON.stringify(opts.body));
  const head = [`POST ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'content-type: application/json', `content-length: ${body.length}`, ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  const request = Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
  const tally = newTally();
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  await Promise.all(
    Array.from(
      { length: opts.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: url.hostname, port: Number(url.port || 80), noDelay: true });
          let pending: Buffer = Buffer.alloc(0);
          let sentAt = 0;
          const send = () => {
            if (performance.now() >= deadline) {
              socket.end();
              return;
            }
            sentAt = performance.now();
            socket.write(request);
          };
          socket.on('connect', send);
          socket.on('data', (chunk: Buffer) => {
            pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
            const headerEnd = pending.indexOf(HEADER_END);
            if (headerEnd < 0) return;
            const headText = pending.toString('latin1', 0, headerEnd);
            const bodyStart = headerEnd + HEADER_END.length;
            const total = answerEnd(pending, headText, bodyStart);
            if (total === undefined) return;
            if (total < 0) {
              socket.destroy(new Error(`answer without content-length or chunked encoding: ${headText.split('\r\n')[0]}`));
              return;
            }
            if (pending.length > total) {
              socket.destroy(new Error('more bytes than one answer on a connection with one request in flight'));
              return;
            }
            const latency = performance.now() - sentAt;
            tally.latencies.push(latency);
            const status = headText.slice(9, 12);
            tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
            if (status[0] !== '2' || pending.includes('"errors"', headerEnd)) tally.errors++;
            else tally.served.push(latency);
            pending = Buffer.alloc(0);
            send();
          });
          socket.on('error', reject);
          socket.on('close', () => resolve());
        }),
    ),
  );
  return resultOf(tally, (performance.now() - t0) / 1000);
}

/**
 * Where the answer in `buffer` ends: its length for content-length, the end of the last chunk
 * for chunked encoding, undefined while incomplete, -1 when the answer is framed neither way.
 */
function answerEnd(buffer: Buffer, headText: string, bodyStart: number): number | undefined {
  const length = /\r\ncontent-length: *(\d+)/i.exec(headText);
  if (length) {
    const total = bodyStart + Number(length[1]);
    return buffer.length < total ? undefined : total;
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(headText)) return -1;
  for (let at = bodyStart; ; ) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
    // A chunk: its size line, its bytes, CRLF. The last (size 0) is followed by an empty line (no trailers here).
    const next = lineEnd + 2 + size + 2;
    if (buffer.length < next) return undefined;
    if (size === 0) return next;
    at = next;
  }
}
