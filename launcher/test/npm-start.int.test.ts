import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launcherEnv, startLauncher, type LauncherProcess } from './service-process';

/** `npm start` as a newcomer runs it: embedded PostgreSQL, in-process events, dev issuer. */
describe('npm start (the built launcher, embedded defaults)', () => {
  let dataDir: string;
  let child: ChildProcess;
  let launcher: LauncherProcess;
  const output = () => launcher.output();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-start-'));
    fs.chmodSync(dataDir, 0o755);
    const env = await launcherEnv(dataDir);
    launcher = await startLauncher(env, 90_000);
    child = launcher.child;
  });
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the demo event, issues dev tokens, and stops everything on Ctrl-C', async () => {
    const gatewayUrl = /Gateway\s+: (http:\/\/\S+\/graphql)/.exec(output())![1];
    expect(output()).toMatch(/Dev token \(fan, sub=demo-fan\):\n\s+eyJ/);
    const events = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ events(first: 5) { edges { node { id title } } } }' }) });
    const body = (await events.json()) as { data: { events: { edges: Array<{ node: { title: string } }> } } };
    expect(body.data.events.edges.map((e) => e.node.title)).toEqual(['The Demo Tour — Opening Night']);
    const token = await fetch(gatewayUrl.replace(/graphql$/, 'dev/token'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'newcomer', permissions: [] }) });
    expect(((await token.json()) as { token: string }).token).toMatch(/^eyJ/);
    // The fan app: its page, and its runtime config pointing at this gateway
    const appUrl = /Fan app\s+: (http:\/\/\S+\/)/.exec(output())![1];
    expect(await (await fetch(`${appUrl}events/some-event`)).text()).toContain('<div id="root">');
    expect(await (await fetch(`${appUrl}config.json`)).json()).toMatchObject({ gatewayUrl: gatewayUrl, auth: { kind: 'dev' } });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('[launcher] stopped');
    // No server of this data folder is left running.
    const leftovers = spawnSync('pgrep', ['-f', `${dataDir}/postgres`], { encoding: 'utf8' }).stdout.trim();
    expect(leftovers).toBe('');
    // The data survives: PostgreSQL's files are still there for the next start.
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
  });
});

/** Ports another process holds: each start below puts one of the launcher's ports on the squatter's. */
describe('npm start when a port it needs is taken', () => {
  let dataDir: string;
  let squatter: net.Server;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-busy-port-'));
    fs.chmodSync(dataDir, 0o755);
    squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => squatter.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the launcher with `variable` on the taken port: it must exit 1 and leave no PostgreSQL of its data folder running. */
  async function startOnTakenPort(variable: string): Promise<{ port: number; message: string }> {
    const { port } = squatter.address() as net.AddressInfo;
    const env = { ...(await launcherEnv(dataDir)), [variable]: String(port) };
    const failure = await startLauncher(env, 90_000).then(
      () => new Error('the launcher started on a port in use'),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/exited during start-up \(1\)/);
    expect(spawnSync('pgrep', ['-f', `${dataDir}/postgres`], { encoding: 'utf8' }).stdout.trim()).toBe('');
    return { port, message: failure.message };
  }

  it("the embedded database's: exits 1 with PostgreSQL's reason and the variable that picks another port", async () => {
    const { port, message } = await startOnTakenPort('EMBEDDED_POSTGRES_PORT');
    expect(message).toContain(`embedded PostgreSQL did not start on 127.0.0.1:${port}`);
    expect(message).toMatch(/Address already in use/);
    expect(message).toContain('EMBEDDED_POSTGRES_PORT picks another port');
  });

  it.each(['CATALOG_PORT', 'GATEWAY_PORT'])("a service's (%s): exits 1 naming the service and the variable, without a stack trace", async (variable) => {
    const { port, message } = await startOnTakenPort(variable);
    const service = variable === 'CATALOG_PORT' ? 'catalog' : 'the gateway';
    expect(message).toContain(`[launcher] failed to start: ${service} cannot listen on 127.0.0.1:${port}`);
    expect(message).toContain(`${variable} picks another`);
    expect(message).not.toMatch(/\n\s+at /);
  });
});
