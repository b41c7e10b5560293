import { createEnvelope } from './envelope';
import { InProcessTransport } from './in-process.transport';

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
});
