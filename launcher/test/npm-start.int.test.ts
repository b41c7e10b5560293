import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@eventix/testing';
import { launcherEnv } from './service-process';

const LAUNCHER = path.resolve(__dirname, '../dist/index.js');

/** `npm start` as a newcomer runs it: embedded PostgreSQL, in-process events, dev issuer. */
describe('npm start (the built launcher, embedded defaults)', () => {
  let dataDir: string;
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-start-'));
    fs.chmodSync(dataDir, 0o755);
    const env = await launcherEnv(dataDir);
    child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => (output.includes('Press Ctrl-C to stop.') ? true : undefined), 90_000, `the banner; output so far:\n${output}`);
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the demo event, issues dev tokens, and stops everything on Ctrl-C', async () => {
    const gatewayUrl = /Gateway\s+: (http:\/\/\S+\/graphql)/.exec(output)![1];
    expect(output).toMatch(/Dev token \(fan, sub=demo-fan\):\n\s+eyJ/);
    const events = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ events(first: 5) { edges { node { id title } } } }' }) });
    const body = (await events.json()) as { data: { events: { edges: Array<{ node: { title: string } }> } } };
    expect(body.data.events.edges.map((e) => e.node.title)).toEqual(['The Demo Tour — Opening Night']);
    const token = await fetch(gatewayUrl.replace(/graphql$/, 'dev/token'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'newcomer', permissions: [] }) });
    expect(((await token.json()) as { token: string }).token).toMatch(/^eyJ/);
    // The fan app: its page, and its runtime config pointing at this gateway
    const appUrl = /Fan app\s+: (http:\/\/\S+\/)/.exec(output)![1];
    expect(await (await fetch(`${appUrl}events/some-event`)).text()).toContain('<div id="root">');
    expect(await (await fetch(`${appUrl}config.json`)).json()).toMatchObject({ gatewayUrl: gatewayUrl, auth: { kind: 'dev' } });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[launcher] stopped');
    // No server of this data folder is left running.
    const leftovers = spawnSync('pgrep', ['-f', `${dataDir}/postgres`], { encoding: 'utf8' }).stdout.trim();
    expect(leftovers).toBe('');
    // The data survives: PostgreSQL's files are still there for the next start.
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
  });
});
