import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@eventix/local-infra';
import { startFaultInfra, type FaultInfra } from './infra';
import { checkInvariants, countDeadLetters, type InvariantResult } from './invariants';
import { Load, type LoadStats } from './load';
import { HOLD_TTL_SECONDS, SERVICE_NAMES, seedOnSaleEvent, startFaultPlatform, type FaultPlatform, type SeededEvent } from './platform';
import type { CaseReport } from './report';

export const VIRTUAL_USERS = 6;
const CONVERGE_TIMEOUT_MS = 60_000;
const CONVERGE_POLL_MS = 2_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a case works with. */
export interface Harness {
  runDir: string;
  infra: FaultInfra;
  platform: FaultPlatform;
  tokens: string[];
  log(message: string): void;
  /** Brings back whatever a failed case left stopped, so the next case starts whole. */
  restoreAll(): Promise<void>;
  /** Converges and checks every invariant across the whole run (no scope). */
  finalCheck(): Promise<CaseReport>;
  stop(): Promise<void>;
}

/** Starts the suite's own infrastructure and the four services under `.cache/faults/<run>/`. */
export async function startHarness(kind: string): Promise<Harness> {
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}_${crypto.randomBytes(2).toString('hex')}`;
  const runDir = path.join(repoRoot(__dirname), '.cache/faults', `${kind}-${runId}`);
  fs.mkdirSync(runDir, { recursive: true });
  const logFile = path.join(runDir, 'harness.log');
  const log = (message: string) => {
    const line = `${new Date().toISOString()} ${message}\n`;
    fs.appendFileSync(logFile, line);
    process.stderr.write(`[faults] ${line}`);
  };
  const t0 = Date.now();
  const infra = await startFaultInfra(runId, log);
  log(`infra ready in ${Date.now() - t0} ms: postgres ${infra.postgres.embedded ? 'embedded' : 'DATABASE_URL'}, redis ${infra.redis.url}, kafka ${infra.kafka.brokers.join(',')} (${infra.kafka.logFile})`);
  let platform: FaultPlatform;
  try {
    platform = await startFaultPlatform(infra, runDir);
  } catch (error) {
    await infra.stop();
    throw error;
  }
  log(`services ready in ${Date.now() - t0} ms: ${SERVICE_NAMES.map((n) => `${n} pid ${platform.services[n].pid} port ${platform.services[n].port}`).join(', ')}`);
  const tokens = await Promise.all(Array.from({ length: VIRTUAL_USERS }, (_, i) => platform.token(`vu-${i}`)));
  const harness: Harness = {
    runDir,
    infra,
    platform,
    tokens,
    log,
    async restoreAll() {
      await infra.allowConnections('booking').catch((error: Error) => log(`re-allowing booking connections: ${error.message}`));
      if (!infra.redis.running) await infra.redis.start();
      if (!infra.kafka.running) await infra.kafka.start();
      for (const name of SERVICE_NAMES) {
        const service = platform.services[name];
        if (!service.running) {
          log(`restoring ${name}, left stopped`);
          await service.start();
        }
      }
    },
    async finalCheck() {
      const { convergeMs, invariants } = await converge(harness, {});
      return { name: 'whole run', convergeMs, invariants, checks: [], notes: [] };
    },
    async stop() {
      await platform.stop();
      await infra.stop();
    },
  };
  return harness;
}

/** Polls the invariants until all hold or the timeout passes; the time is from the call. */
export async function converge(h: Harness, scope: Parameters<typeof checkInvariants>[1]): Promise<{ convergeMs?: number; invariants: InvariantResult[] }> {
  const t0 = Date.now();
  for (;;) {
    const invariants = await checkInvariants(h.infra, scope);
    if (invariants.every((i) => i.ok)) return { convergeMs: Date.now() - t0, invariants };
    if (Date.now() - t0 > CONVERGE_TIMEOUT_MS) return { invariants };
    await sleep(CONVERGE_POLL_MS);
  }
}

/**
 * A fault may make requests fail, but with a code a client can act on (SERVICE_UNAVAILABLE: try
 * again later); an unmasked INTERNAL_SERVER_ERROR, a missing code or a non-JSON answer is a defect.
 * Network errors and timeouts are counted in the table but not judged here: while the gateway
 * itself is down there is nobody to answer.
 */
const UNEXPECTED = ['INTERNAL_SERVER_ERROR', 'NO_CODE', 'NON_JSON'];

function contractErrorsOnly(stats: LoadStats): InvariantResult {
  const found = UNEXPECTED.filter((code) => stats.errors[code]).map((code) => `${code}: ${stats.errors[code]}`);
  return { name: 'errors are contract codes', ok: found.length === 0, detail: found.length ? found.join(', ') : 'ok' };
}

/** What a fault hands back: checks of its own (exit codes, readiness) and notes for the report. */
export interface FaultOutcome {
  checks: InvariantResult[];
  notes: string[];
  /** Events the fault published besides the case's own; their projection is checked too. */
  eventIds?: string[];
}

export interface CaseOptions {
  /** Load before the fault starts. */
  warmUpMs?: number;
  /** Load after the fault has been undone and everything is ready again. */
  coolDownMs?: number;
  rows?: number;
  seatsPerRow?: number;
}

/**
 * One case: a fresh on-sale event, load from every virtual user, the fault while the load runs,
 * more load once it is undone, then the load stops and the invariants of this case's event must
 * converge. The fault is run inside try/finally so a failure still restores the platform.
 */
export async function runCase(
  h: Harness,
  name: string,
  fault: (ctx: { load: Load; event: SeededEvent }) => Promise<FaultOutcome>,
  options: CaseOptions = {},
): Promise<CaseReport> {
  h.log(`case ${name}: seeding`);
  // 1,200 seats by default: a case's load books ~400 times, 1–3 seats each, in its ~15 s; an event
  // sold out before the cool-down leaves "serves after the fault" nothing to serve (seen once in CI).
  const event = await seedOnSaleEvent(h.platform, `Faults ${name}`, options.rows ?? 40, options.seatsPerRow);
  const deadLettersBefore = await countDeadLetters(h.infra);
  const load = new Load({ gatewayUrl: h.platform.gatewayUrl, eventId: event.eventId, seatIds: event.seatIds, tokens: h.tokens, abandonedSeatsReturnAfterMs: (HOLD_TTL_SECONDS + 5) * 1000 });
  load.start();
  let outcome: FaultOutcome = { checks: [], notes: [] };
  let stats: LoadStats;
  try {
    await sleep(options.warmUpMs ?? 3_000);
    h.log(`case ${name}: fault (${load.stats.requests} requests so far)`);
    outcome = await fault({ load, event });
    h.log(`case ${name}: fault undone; cooling down`);
    const [okBefore, idleBefore] = [load.stats.ok, load.stats.noSeatLeft];
    await sleep(options.coolDownMs ?? 5_000);
    if (options.coolDownMs !== 0) {
      const [served, idle] = [load.stats.ok - okBefore, load.stats.noSeatLeft - idleBefore];
      const detail = `${served} successful requests in the ${options.coolDownMs ?? 5_000} ms after it${idle ? ` (users found no free seat ${idle} times)` : ''}`;
      outcome.checks.push({ name: 'serves after the fault', ok: served > 0, detail });
    }
  } catch (error) {
    outcome.checks.push({ name: 'fault ran', ok: false, detail: (error as Error).message });
  } finally {
    stats = await load.stop();
    await h.restoreAll();
  }
  outcome.checks.push(contractErrorsOnly(stats));
  h.log(`case ${name}: load stopped after ${stats.requests} requests; converging`);
  const { convergeMs, invariants } = await converge(h, { eventIds: [event.eventId, ...(outcome.eventIds ?? [])], deadLettersBefore });
  h.log(`case ${name}: ${convergeMs === undefined ? 'did not converge' : `converged in ${convergeMs} ms`}`);
  return { name, eventId: event.eventId, load: stats, convergeMs, invariants, checks: outcome.checks, notes: outcome.notes };
}
