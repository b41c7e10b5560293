import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@eventix/local-infra';

/**
 * `npm run bench [-- <name>...]`: runs every bench/*.bench.ts (compiled next to this file), or
 * the named ones, one after another, each in its own node process so that one bench's
 * platform, heap and JIT state never colour the next. Never in parallel: they would compete
 * for the same cores. A missed target is a figure in the table, not a failure; a bench that
 * crashes is reported and makes the exit code 1.
 */
function main(): void {
  const sources = fs.readdirSync(path.join(repoRoot(), 'bench')).filter((f) => f.endsWith('.bench.ts'));
  // Only benches whose source still exists: tsc leaves stale output of removed ones behind.
  const available = sources.map((f) => f.replace(/\.bench\.ts$/, '')).sort();
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !available.includes(name));
  if (unknown.length) {
    process.stderr.write(`unknown bench: ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const selected = asked.length ? asked : available;
  const outcomes: string[] = [];
  for (const name of selected) {
    process.stdout.write(`\n===== bench ${name} =====\n`);
    const t0 = Date.now();
    const run = spawnSync(process.execPath, [path.join(__dirname, `${name}.bench.js`)], { stdio: 'inherit', env: process.env });
    const took = `${((Date.now() - t0) / 1000).toFixed(0)} s`;
    const ok = run.status === 0;
    outcomes.push(`${ok ? 'ok     ' : 'FAILED '} ${name} (${took}${ok ? '' : `, exit ${run.status ?? run.signal}`})`);
  }
  process.stdout.write(`\n===== benches =====\n${outcomes.join('\n')}\nresults: bench/results/README.md\n`);
  if (outcomes.some((o) => o.startsWith('FAILED'))) process.exitCode = 1;
}

main();
