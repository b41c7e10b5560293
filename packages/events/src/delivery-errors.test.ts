import net from 'node:net';
import { ConnectionException, DeadlockException, DriverException } from '@mikro-orm/core';
import { DeliveryAbortedError, UnprocessableMessageError, classifyDeliveryError } from './delivery-errors';
import { createEnvelope, parseEnvelope, requireVersion } from './envelope';
import { deliverWithRetries, type RetryPolicy } from './transport';

/** What node-postgres throws for a server error: a plain Error with the SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

/** A real ECONNREFUSED: connect to a port nobody listens on. */
async function refusedConnection(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
}

describe('classifyDeliveryError', () => {
  it('treats an unreachable dependency as transient, also when a driver wraps it', async () => {
    const refused = await refusedConnection();
    expect(classifyDeliveryError(refused)).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    // MikroORM copies the driver error's own properties (code included) onto its exception.
    expect(classifyDeliveryError(new DriverException(refused))).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    expect(classifyDeliveryError(new Error('request failed', { cause: refused }))).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    expect(classifyDeliveryError(new AggregateError([refused], 'all attempts failed'))).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']) {
      expect(classifyDeliveryError(Object.assign(new Error(code), { code }))).toEqual({ kind: 'transient', reason: code });
    }
  });

  it.each([
    ['08006', 'connection failure'],
    ['08001', 'could not establish connection'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection due to crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
    ['55000', 'database "eventix_booking" is not currently accepting connections'],
  ])('treats PostgreSQL %s (%s) as transient', (code, message) => {
    expect(classifyDeliveryError(pgError(code, message))).toEqual({ kind: 'transient', reason: `pg:${code}` });
    expect(classifyDeliveryError(new DriverException(pgError(code, message)))).toEqual({ kind: 'transient', reason: `pg:${code}` });
  });

  it('knows pool and driver conditions that carry no code', () => {
    const poolTimeout = new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?');
    expect(classifyDeliveryError(new DriverException(poolTimeout))).toEqual({ kind: 'transient', reason: 'pool-timeout' });
    expect(classifyDeliveryError(new Error('Connection terminated unexpectedly'))).toEqual({ kind: 'transient', reason: 'connection-terminated' });
    expect(classifyDeliveryError(new ConnectionException(new Error('connect failed')))).toEqual({ kind: 'transient', reason: 'db-connection' });
    expect(classifyDeliveryError(new DeadlockException(new Error('deadlock')))).toEqual({ kind: 'transient', reason: 'db-deadlock' });
    const unavailable = Object.assign(new Error('catalog is unavailable'), { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(classifyDeliveryError(unavailable)).toEqual({ kind: 'transient', reason: 'service-unavailable' });
  });

  it('leaves statement errors and plain bugs unknown: they get bounded retries', () => {
    expect(classifyDeliveryError(pgError('23505', 'duplicate key value violates unique constraint'))).toEqual({ kind: 'unknown', reason: 'handler-error' });
    // Class 08, but caused by what was sent (PostgreSQL's answer to a NUL in a query): no outage to wait out.
    expect(classifyDeliveryError(pgError('08P01', 'invalid message format'))).toEqual({ kind: 'unknown', reason: 'handler-error' });
    expect(classifyDeliveryError(pgError('55000', 'cannot execute nextval() in a read-only transaction'))).toEqual({ kind: 'unknown', reason: 'handler-error' });
    expect(classifyDeliveryError(new TypeError("Cannot read properties of undefined (reading 'seatIds')"))).toEqual({ kind: 'unknown', reason: 'handler-error' });
    expect(classifyDeliveryError('a string was thrown')).toEqual({ kind: 'unknown', reason: 'handler-error' });
  });

  it('dead-letters at once what can never succeed: a bad body, an unknown version', () => {
    const bad = (raw: string) => {
      try {
        parseEnvelope(raw);
      } catch (error) {
        return error;
      }
      throw new Error(`${raw} parsed`);
    };
    expect(classifyDeliveryError(bad('not json'))).toEqual({ kind: 'permanent', reason: 'unprocessable' });
    expect(classifyDeliveryError(bad('{"id":"x"}'))).toEqual({ kind: 'permanent', reason: 'unprocessable' });
    const v3 = createEnvelope({ type: 'payment.success', key: 'k', payload: {}, version: 3 });
    expect(() => requireVersion(v3, 1, 2)).toThrow(UnprocessableMessageError);
    expect(() => requireVersion(v3, 3)).not.toThrow();
    // A handler's own verdict wins over the infrastructure error it may wrap.
    const wrapped = new UnprocessableMessageError('payload rejected', { cause: pgError('08006', 'connection failure') });
    expect(classifyDeliveryError(wrapped)).toEqual({ kind: 'permanent', reason: 'unprocessable' });
  });
});

describe('deliverWithRetries', () => {
  const policy: RetryPolicy = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 4 };
  const failing = (errors: unknown[]) => {
    let calls = 0;
    return {
      handle: async () => {
        const error = errors[calls++];
        if (error !== undefined) throw error;
      },
      calls: () => calls,
    };
  };

  it('retries a transient failure past the attempt limit until the handler succeeds', async () => {
    const outage = Array.from({ length: 20 }, () => pgError('57P03', 'the database system is starting up'));
    const handler = failing(outage);
    const reasons: string[] = [];
    const result = await deliverWithRetries(handler.handle, { policy, onRetry: (r) => reasons.push(r.failure.reason) });
    expect(result).toEqual({ delivered: true, attempts: 21 });
    expect(reasons).toHaveLength(20);
    expect(new Set(reasons)).toEqual(new Set(['pg:57P03']));
  });

  it('gives an unknown failure maxAttempts, not counting transient failures in between', async () => {
    const bug = new TypeError('bug');
    const handler = failing([bug, pgError('08006', 'connection failure'), bug, bug, bug]);
    const result = await deliverWithRetries(handler.handle, { policy });
    expect(result).toMatchObject({ delivered: false, attempts: 4, error: bug, failure: { kind: 'unknown' } });
  });

  it('gives up on a permanent failure after one attempt', async () => {
    const handler = failing([new UnprocessableMessageError('unknown version'), undefined]);
    const result = await deliverWithRetries(handler.handle, { policy });
    expect(result).toMatchObject({ delivered: false, attempts: 1, failure: { kind: 'permanent' } });
    expect(handler.calls()).toBe(1);
  });

  it('stops waiting as soon as the transport closes, without calling the handler again', async () => {
    const closing = new AbortController();
    const handler = failing(Array.from({ length: 100 }, () => pgError('57P03', 'cannot connect now')));
    const started = Date.now();
    const delivery = deliverWithRetries(handler.handle, { policy: { ...policy, initialDelayMs: 60_000, maxDelayMs: 60_000 }, signal: closing.signal });
    setTimeout(() => closing.abort(), 50);
    await expect(delivery).rejects.toBeInstanceOf(DeliveryAbortedError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(handler.calls()).toBe(1);
  });
});
