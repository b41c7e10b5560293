import type { MikroORM } from '@mikro-orm/postgresql';
import { buildSchema } from 'graphql';
import { createEnvelope, InProcessTransport, type OutboxRelay } from '@eventix/events';
import { subgraphLifecycle } from './subgraph-lifecycle';

/** Records what each part was asked to do, in order. */
function parts() {
  const calls: string[] = [];
  const part = (name: string) => ({
    start: () => void calls.push(`${name} start`),
    stop: async () => void calls.push(`${name} stop`),
  });
  const orm = {
    em: { fork: () => ({ execute: async () => [{ '?column?': 1 }] }) },
    close: async () => void calls.push('database close'),
  } as unknown as MikroORM;
  return { calls, part, orm, relay: part('relay') as unknown as OutboxRelay };
}

describe('subgraphLifecycle', () => {
  it('serves, consumes and stops in the order that loses nothing', async () => {
    const { calls, part, orm, relay } = parts();
    const transport = new InProcessTransport();
    const subscribe = transport.subscribe.bind(transport);
    transport.subscribe = async (options) => {
      const unsubscribe = await subscribe(options);
      return async () => {
        calls.push(`consumer ${options.groupId} stop`);
        await unsubscribe();
      };
    };
    const handled: string[] = [];
    const lifecycle = subgraphLifecycle({
      name: 'lifecycle-test',
      serving: { internalSecret: 'x'.repeat(32), production: false, http: { port: 0, host: '127.0.0.1' } },
      orm,
      transport,
      relay,
      log: () => undefined,
      schema: async () => buildSchema('type Query { ok: Boolean }'),
      createContext: (caller) => ({ caller }),
      readinessChecks: { extra: async () => calls.push('extra probed') },
      consumers: [{ groupId: 'lifecycle-test.group', topics: ['lifecycle-test.topic'], handle: async (m) => void handled.push(m.type) }],
      workers: { 'worker a': part('worker a'), 'worker b': part('worker b') },
      stopFirst: [['first', async () => void calls.push('first stop')]],
      stopLast: [['last', async () => void calls.push('last stop')]],
      onListening: (running) => calls.push(`listening ${running.url.startsWith('http://127.0.0.1:')}`),
    });

    await lifecycle.consume();
    const running = await lifecycle.start();
    expect(calls).toEqual(['listening true', 'relay start', 'worker a start', 'worker b start']);

    // Readiness reports the database, the event transport and the extra check by name.
    const ready = await fetch(running.url.replace(/\/graphql$/, '/health/ready'));
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toMatch(/database.*events.*extra/s);

    await transport.publish('lifecycle-test.topic', [createEnvelope({ type: 'lifecycle-test.happened', key: 'k', payload: {} })]);
    expect(handled).toEqual(['lifecycle-test.happened']);

    calls.length = 0;
    await lifecycle.stop();
    expect(calls).toEqual(['first stop', 'consumer lifecycle-test.group stop', 'worker a stop', 'worker b stop', 'relay stop', 'last stop', 'database close']);
    // HTTP is closed by then.
    await expect(fetch(running.url)).rejects.toThrow();
    await transport.close();
  });
});
