import net from 'node:net';
import { register } from 'prom-client';
import { DeliveryAbortedError, UnprocessableMessageError } from './delivery-errors';
import { createEnvelope } from './envelope';
import { InProcessTransport } from './in-process.transport';
import { DEAD_LETTERS_METRIC } from './metrics';

/** A real ECONNREFUSED, as a handler gets it when its database or a subgraph is down. */
async function connectToNothing(): Promise<never> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((_, reject) => net.connect(port, '127.0.0.1').on('error', reject));
}

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

const message = (n: number) => createEnvelope({ type: 't', key: 'k', payload: { n } });

describe('InProcessTransport', () => {
  it('gives every group each message once and splits work inside a group', async () => {
    const bus = new InProcessTransport();
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g1', topics: ['t'], handle: async (m) => void seen.push(`g1a:${(m.payload as { n: number }).n}`) });
    await bus.subscribe({ groupId: 'g1', topics: ['t'], handle: async (m) => void seen.push(`g1b:${(m.payload as { n: number }).n}`) });
    await bus.subscribe({ groupId: 'g2', topics: ['t'], handle: async (m) => void seen.push(`g2:${(m.payload as { n: number }).n}`) });
    await bus.publish('t', [message(1), message(2)]);
    expect(seen.filter((s) => s.startsWith('g2'))).toEqual(['g2:1', 'g2:2']);
    expect(seen.filter((s) => s.startsWith('g1')).map((s) => s.split(':')[1]).sort()).toEqual(['1', '2']);
  });

  it('lets a late group read the topic from the beginning', async () => {
    const bus = new InProcessTransport();
    await bus.publish('t', [message(1)]);
    const seen: number[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['t'], handle: async (m) => void seen.push((m.payload as { n: number }).n) });
    expect(seen).toEqual([1]);
  });

  it('retries a failing handler, then dead-letters the message without blocking the next one', async () => {
    const bus = new InProcessTransport();
    let attempts = 0;
    const handled: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        const n = (m.payload as { n: number }).n;
        if (n === 1) {
          attempts += 1;
          throw new Error('poison');
        }
        handled.push(n);
      },
    });
    await bus.publish('t', [message(1), message(2)]);
    expect(attempts).toBe(5);
    expect(handled).toEqual([2]);
    expect(bus.deadLetters.map((d) => d.error.message)).toEqual(['poison']);
  });

  it('keeps retrying a handler whose dependency is down, past the attempt limit, until it is back', async () => {
    const bus = new InProcessTransport({ retry: fast });
    let attempts = 0;
    const handled: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async (m) => {
        attempts += 1;
        if (attempts <= 12) await connectToNothing();
        handled.push((m.payload as { n: number }).n);
      },
    });
    await bus.publish('t', [message(1)]);
    expect(attempts).toBe(13);
    expect(handled).toEqual([1]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('dead-letters an unprocessable message on the first attempt, counts it, and replays it', async () => {
    const topic = `t-${Date.now()}`;
    const bus = new InProcessTransport({ retry: fast });
    const supported = [1];
    const handled: string[] = [];
    let attempts = 0;
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handle: async (m) => {
        attempts += 1;
        if (!supported.includes(m.version)) throw new UnprocessableMessageError(`version ${m.version} unknown`);
        handled.push(m.id);
      },
    });
    const v2 = createEnvelope({ type: topic, key: 'k', payload: {}, version: 2 });
    await bus.publish(topic, [v2]);
    expect(attempts).toBe(1);
    expect(bus.deadLetters.map((d) => [d.message.id, d.failure.kind])).toEqual([[v2.id, 'permanent']]);
    const counted = (await register.getSingleMetric(DEAD_LETTERS_METRIC)?.get())?.values.find((v) => v.labels.topic === topic);
    expect(counted).toMatchObject({ labels: { topic, group: 'g' }, value: 1 });

    supported.push(2);
    await expect(bus.replayDeadLetters(topic)).resolves.toBe(1);
    expect(handled).toEqual([v2.id]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('stops retrying when closed: publish rejects, so the relay keeps the outbox row pending', async () => {
    const bus = new InProcessTransport({ retry: { initialDelayMs: 50, maxDelayMs: 50 } });
    let attempts = 0;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        attempts += 1;
        await connectToNothing();
      },
    });
    const publishing = bus.publish('t', [message(1)]);
    await new Promise((r) => setTimeout(r, 300));
    await bus.close();
    await expect(publishing).rejects.toBeInstanceOf(DeliveryAbortedError);
    const attemptsAtClose = attempts;
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toBe(attemptsAtClose);
    expect(bus.deadLetters).toEqual([]);
  });

  it('hands a message being retried to the next member when its member unsubscribes, without dead-lettering it', async () => {
    const bus = new InProcessTransport({ retry: { initialDelayMs: 50, maxDelayMs: 50 } });
    let failedAttempts = 0;
    const unsubscribe = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handle: async () => {
        failedAttempts += 1;
        await connectToNothing();
      },
    });
    const publishing = bus.publish('t', [message(1)]);
    await new Promise((r) => setTimeout(r, 200));
    // The stopping service's relay must not wait on its own consumer's outage.
    await unsubscribe();
    await publishing;
    const attemptsAtUnsubscribe = failedAttempts;
    const handled: number[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], handle: async (m) => void handled.push((m.payload as { n: number }).n) });
    expect(handled).toEqual([1]);
    expect(failedAttempts).toBe(attemptsAtUnsubscribe);
    expect(bus.deadLetters).toEqual([]);
  });
});
