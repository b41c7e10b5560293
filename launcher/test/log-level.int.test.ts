import { waitFor } from '@eventix/testing';
import { startServiceProcess, type ServiceProcess } from './service-process';

const SECRET = 'log-level-test-internal-secret-0123456789ab';

async function askTypename(service: ServiceProcess): Promise<void> {
  const res = await fetch(`${service.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  expect(await res.json()).toMatchObject({ data: { __typename: 'Query' } });
}

/**
 * LOG_LEVEL is read by every entry point: an operator can quiet the routine lines (the access
 * log: one per request) and a misspelt level stops start-up naming it. The gateway's build, as
 * a process of its own.
 */
describe('LOG_LEVEL (a real gateway process)', () => {
  const started: ServiceProcess[] = [];
  afterAll(async () => {
    for (const service of started) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await Promise.all(started.map((service) => service.exited));
  });

  it('writes the access log at the default level and drops it under warn', async () => {
    const chatty = await startServiceProcess('gateway', { INTERNAL_JWT_SECRET: SECRET });
    started.push(chatty);
    await askTypename(chatty);
    await waitFor(() => (chatty.output().includes('"graphql request"') ? true : undefined), 5_000, 'the access log line');

    // Nothing at info is written under warn, "listening on" included: wait for it to serve instead.
    const quiet = await startServiceProcess('gateway', { INTERNAL_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' }, { until: '' });
    started.push(quiet);
    await waitFor(async () => ((await fetch(`${quiet.baseUrl}/health/live`).catch(() => undefined))?.ok ? true : undefined), 60_000, 'the quiet gateway to serve');
    for (let i = 0; i < 5; i++) await askTypename(quiet);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(quiet.output()).not.toContain('graphql request');
    expect(quiet.output()).not.toContain('listening on');
  }, 150_000);

  it('refuses an unknown level at start-up, naming the variable, without a stack trace', async () => {
    const refused = startServiceProcess('gateway', { INTERNAL_JWT_SECRET: SECRET, LOG_LEVEL: 'loud' });
    await expect(refused).rejects.toThrow(/exited during start-up \(1\):\ngateway: invalid configuration\n {2}- LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent\n$/);
  }, 60_000);
});
