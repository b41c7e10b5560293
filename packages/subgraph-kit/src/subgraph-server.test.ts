import { buildSchema } from 'graphql';
import { createEnvelope, DEAD_LETTERS_METRIC, InProcessTransport } from '@eventix/events';
import { startSubgraphServer, type RunningSubgraph } from './subgraph-server';

describe('a subgraph server', () => {
  let running: RunningSubgraph;
  let transport: InProcessTransport;
  let deadLettered: Promise<void>;

  beforeAll(async () => {
    let onDeadLetter = () => undefined as void;
    deadLettered = new Promise((resolve) => (onDeadLetter = resolve));
    transport = new InProcessTransport({ retry: { maxAttempts: 2, initialDelayMs: 10 }, onDeadLetter: () => onDeadLetter() });
    running = await startSubgraphServer(
      { name: 'metrics-test', schema: buildSchema('type Query { ok: Boolean }'), internalSecret: 'x'.repeat(32), createContext: () => ({}), production: false, log: () => undefined },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await running.stop();
    await transport.close();
  });

  it('serves what packages/events counts (dead letters) and process metrics on GET /metrics', async () => {
    // A real dead letter through the real bus: a handler that always fails, given up on after two attempts.
    await transport.subscribe({ groupId: 'metrics-test.group', topics: ['metrics-test.topic'], handle: async () => Promise.reject(new Error('cannot handle this')) });
    await transport.publish('metrics-test.topic', [createEnvelope({ type: 'metrics-test.happened', key: 'k', payload: {} })]).catch(() => undefined);
    await deadLettered;

    const res = await fetch(running.url.replace(/\/graphql$/, '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(new RegExp(`^${DEAD_LETTERS_METRIC}\\{topic="metrics-test.topic",group="metrics-test.group"\\} 1$`, 'm'));
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
