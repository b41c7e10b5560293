import { type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spanAttribute, otlpExportEnv, startOtlpCollector, waitFor, type CollectedSpan } from '@eventix/testing';
import { launcherEnv, startLauncher, type LauncherProcess } from './service-process';

describe('traces (OpenTelemetry, OTLP export by OTEL_* variables)', () => {
  let dataDir: string;
  let child: ChildProcess;
  let launcher: LauncherProcess;
  const output = () => launcher.output();
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-trace-'));
    fs.chmodSync(dataDir, 0o755);
    const env = {
      ...(await launcherEnv(dataDir)),
      ...otlpExportEnv(collector.url),
    };
    launcher = await startLauncher(env, 120_000);
    child = launcher.child;
  }, 150_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await collector?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('createBooking → payBooking → confirmation by the payment.success consumer is one connected trace', async () => {
    const gatewayUrl = /Gateway\s+: (http:\/\/\S+\/graphql)/.exec(output())![1];
    const fanToken = /Dev token \(fan, sub=demo-fan\):\n\s+(\S+)/.exec(output())![1];
    // The caller's own trace (as a browser or a partner's service would send it).
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const res = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fanToken}`, traceparent: `00-${traceId}-${clientSpanId}-01` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data as T;
    };
    const events = await gql<{ events: { edges: Array<{ node: { id: string } }> } }>('{ events(first: 1) { edges { node { id } } } }');
    const eventId = events.events.edges[0].node.id;
    const seats = await gql<{ event: { seats: Array<{ id: string; availability: string }> } }>('query($id: ID!) { event(id: $id) { seats { id availability } } }', { id: eventId });
    const seat = seats.event.seats.find((s) => s.availability === 'AVAILABLE')!;
    const booking = await gql<{ createBooking: { id: string } }>('mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }', {
      input: { eventId, seatIds: [seat.id], idempotencyKey: randomUUID() },
    });
    const bookingId = booking.createBooking.id;
    await gql('mutation($input: PayBookingInput!) { payBooking(input: $input) { id status } }', { input: { bookingId, paymentMethodToken: 'tok_visa', idempotencyKey: randomUUID() } });
    await waitFor(
      async () => ((await gql<{ booking: { status: string } }>('query($id: ID!) { booking(id: $id) { status } }', { id: bookingId })).booking.status === 'CONFIRMED' ? true : undefined),
      30_000,
      'the booking to be confirmed',
    );

    // The consumer's span arrives with the next export.
    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    const consumer = await waitFor(
      () => inTrace().find((s) => s.name === 'process payment.success' && s.kind === 5 /* CONSUMER */),
      20_000,
      `the payment.success consumer span in trace ${traceId}; spans so far: ${[...new Set(inTrace().map((s) => s.name))].join(', ')}`,
    );
    // Let the last batch in, then check every link of the trace.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const orphans = spans.filter((s) => s.parentSpanId !== clientSpanId && !byId.has(s.parentSpanId ?? ''));
    expect(orphans.map((s) => `${s.service}: ${s.name}`)).toEqual([]);

    const ancestors = (span: CollectedSpan): CollectedSpan[] => {
      const chain: CollectedSpan[] = [];
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) chain.push(at);
      return chain;
    };
    // The confirmation descends from the payBooking request: gateway → payment subgraph → the
    // outbox row written in payment's transaction → (relay, bus) → booking's consumer.
    const chain = ancestors(consumer);
    expect(chain.some((s) => spanAttribute(s, 'graphql.operation.type') === 'mutation' && /payBooking/i.test(`${s.name} ${String(spanAttribute(s, 'graphql.source') ?? '')}`))).toBe(true);
    expect(chain[chain.length - 1].parentSpanId).toBe(clientSpanId);
    // …and the consumer's database work (the confirmation) is inside it.
    const underConsumer = spans.filter((s) => ancestors(s).includes(consumer));
    expect(underConsumer.some((s) => spanAttribute(s, 'db.system') === 'postgresql' || spanAttribute(s, 'db.system.name') === 'postgresql')).toBe(true);
    // createBooking is in the same trace, with its database calls.
    const createBooking = spans.find((s) => spanAttribute(s, 'graphql.operation.type') === 'mutation' && /createBooking/i.test(`${s.name} ${String(spanAttribute(s, 'graphql.source') ?? '')}`));
    expect(createBooking).toBeDefined();
    expect(spans.filter((s) => ancestors(s).includes(createBooking!)).some((s) => /postgres/.test(String(spanAttribute(s, 'db.system') ?? spanAttribute(s, 'db.system.name'))))).toBe(true);
  }, 120_000);
});
