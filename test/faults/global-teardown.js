const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const started = globalThis.__eventixFaultsPostgres;
  if (!started) return;
  await started.postgres.stop();
  fs.rmSync(started.tmp, { recursive: true, force: true });
};
