import fs from 'node:fs';
import path from 'node:path';
import type { InvariantResult } from './invariants';
import type { LoadStats } from './load';

/** What one case did and found. */
export interface CaseReport {
  name: string;
  /** The on-sale event the case's load booked. */
  eventId?: string;
  load?: LoadStats;
  /** From the end of the load until every invariant held; undefined when they never did. */
  convergeMs?: number;
  invariants: InvariantResult[];
  /** Case-specific checks (exit codes, restarts) that pass or fail like invariants. */
  checks: InvariantResult[];
  notes: string[];
}

export const passed = (c: CaseReport) => [...c.invariants, ...c.checks].every((r) => r.ok);

const pad = (text: string, width: number) => text.padEnd(width);

function errorsOf(stats?: LoadStats): string {
  if (!stats) return '-';
  const entries = Object.entries(stats.errors).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([code, n]) => `${code}:${n}`).join(' ') : 'none';
}

/** The per-case table, then each failing invariant's details and each case's notes. */
export function formatReport(cases: CaseReport[]): string {
  const invariantNames = [...new Set(cases.flatMap((c) => c.invariants.map((i) => i.name)))];
  const header = ['case', 'requests', 'ok', '5xx', 'booked', 'paid', 'converge', ...invariantNames, 'checks', 'errors by code'];
  const rows = cases.map((c) => [
    c.name,
    String(c.load?.requests ?? '-'),
    String(c.load?.ok ?? '-'),
    String(c.load?.http5xx ?? '-'),
    String(c.load?.bookingsCreated ?? '-'),
    String(c.load?.paymentsSucceeded ?? '-'),
    c.convergeMs === undefined ? 'never' : `${(c.convergeMs / 1000).toFixed(1)}s`,
    ...invariantNames.map((name) => {
      const result = c.invariants.find((i) => i.name === name);
      return result ? (result.ok ? 'PASS' : 'FAIL') : '-';
    }),
    c.checks.length ? (c.checks.every((k) => k.ok) ? 'PASS' : 'FAIL') : '-',
    errorsOf(c.load),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : r[i].length))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i]))).join(' | ');
  const out = [line(header), widths.map((w, i) => (i === widths.length - 1 ? '---' : '-'.repeat(w))).join('-|-'), ...rows.map(line), ''];
  for (const c of cases) {
    const failing = [...c.invariants, ...c.checks].filter((r) => !r.ok);
    const lines = [...failing.map((r) => `  FAIL ${r.name}: ${r.detail}`), ...c.checks.filter((r) => r.ok).map((r) => `  ok   ${r.name}: ${r.detail}`), ...c.notes.map((n) => `  note ${n}`)];
    if (lines.length) out.push(`${c.name}:`, ...lines);
  }
  return out.join('\n');
}

/** Prints the report and keeps it (text and JSON) beside the run's service logs. */
export function writeReport(runDir: string, title: string, cases: CaseReport[]): void {
  const text = `${title}\n${formatReport(cases)}\n`;
  fs.writeFileSync(path.join(runDir, 'report.txt'), text);
  fs.writeFileSync(path.join(runDir, 'report.json'), JSON.stringify(cases, null, 2));
  process.stdout.write(`\n${text}\nlogs and report: ${runDir}\n`);
}
