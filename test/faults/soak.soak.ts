import { runCase, startHarness, sleep, type Harness } from './harness';
import { SERVICE_NAMES } from './platform';
import { writeReport, type CaseReport } from './report';

/**
 * `npm run test:soak`: the fault suite's harness and load for SOAK_SECONDS (default 180) with no
 * fault, then the invariants, and each process's resident memory before and after the load.
 */

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 180);

let h: Harness;
const reports: CaseReport[] = [];

beforeAll(async () => {
  h = await startHarness('soak');
}, 300_000);

afterAll(async () => {
  if (!h) return;
  writeReport(h.runDir, `Soak, ${SOAK_SECONDS} s`, reports);
  await h.stop();
}, 120_000);

test(
  `mixed load for ${SOAK_SECONDS} s keeps every invariant`,
  async () => {
    const rss = (label: string) => SERVICE_NAMES.map((name) => ({ name, label, kb: h.platform.services[name].rssKb() }));
    const before = rss('before');
    // A large event so that seats do not run out however long the soak.
    const report = await runCase(h, 'soak', async () => {
      await sleep(SOAK_SECONDS * 1000);
      return { checks: [], notes: [] };
    }, { warmUpMs: 0, coolDownMs: 0, rows: 40, seatsPerRow: 50 });
    const after = rss('after');
    report.notes.push(
      ...SERVICE_NAMES.map((name, i) => {
        const [b, a] = [before[i].kb, after[i].kb];
        return `${name} RSS ${b === undefined ? '?' : `${(b / 1024).toFixed(0)} MB`} -> ${a === undefined ? '?' : `${(a / 1024).toFixed(0)} MB`}`;
      }),
    );
    report.checks.push(
      ...SERVICE_NAMES.map((name) => ({ name: `${name} still running`, ok: h.platform.services[name].running && h.platform.services[name].exits.length === 0, detail: `exits: ${JSON.stringify(h.platform.services[name].exits)}` })),
    );
    reports.push(report);
    const failing = [...report.invariants, ...report.checks].filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
    expect(failing).toEqual([]);
  },
  SOAK_SECONDS * 1000 + 180_000,
);
