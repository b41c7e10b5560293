import { runCase, startHarness, sleep, type Harness } from './harness';
import { SERVICE_NAMES } from './platform';
import { writeReport, type CaseReport } from './report';

/**
 * `npm run test:soak`: the fault suite's harness and load for SOAK_SECONDS (default 180) with no
 * fault, then the invariants, and each process's resident memory before, during (every 30 s)
 * and after the load.
 */

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const SAMPLE_SECONDS = 30;

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
    // Each process's resident memory before, every SAMPLE_SECONDS of the load and after: memory
    // that levels off is a heap reaching its working size, memory that keeps climbing is a leak.
    const samples: Array<Record<string, number | undefined>> = [];
    const sample = () => samples.push(Object.fromEntries(SERVICE_NAMES.map((name) => [name, h.platform.services[name].rssKb()])));
    sample();
    // A large event so that seats do not run out however long the soak.
    const report = await runCase(h, 'soak', async () => {
      for (let left = SOAK_SECONDS; left > 0; left -= SAMPLE_SECONDS) {
        await sleep(Math.min(left, SAMPLE_SECONDS) * 1000);
        sample();
      }
      return { checks: [], notes: [] };
    }, { warmUpMs: 0, coolDownMs: 0, rows: 40, seatsPerRow: 50 });
    sample();
    const mb = (kb: number | undefined) => (kb === undefined ? '?' : (kb / 1024).toFixed(0));
    report.notes.push(...SERVICE_NAMES.map((name) => `${name} RSS ${samples.map((s) => mb(s[name])).join(' -> ')} MB (before, every ${SAMPLE_SECONDS} s, after)`));
    report.checks.push(
      ...SERVICE_NAMES.map((name) => ({ name: `${name} still running`, ok: h.platform.services[name].running && h.platform.services[name].exits.length === 0, detail: `exits: ${JSON.stringify(h.platform.services[name].exits)}` })),
    );
    reports.push(report);
    const failing = [...report.invariants, ...report.checks].filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
    expect(failing).toEqual([]);
  },
  SOAK_SECONDS * 1000 + 180_000,
);
