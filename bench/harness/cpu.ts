import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** The parent of a live process (the postmaster of a PostgreSQL backend, say). */
export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/**
 * CPU time (user + system, ms) used so far by `pid` and every live descendant (cluster workers
 * of a gateway primary). Linux /proc only; undefined where there is none.
 */
export function processTreeCpuMs(pid: number): number | undefined {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(Number(d)))
    .filter((s): s is ProcStat => s !== undefined);
  const tree = new Set([pid]);
  // Parents may be listed after their children: repeat until no process joins the tree.
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of all) {
      if (!tree.has(s.pid) && tree.has(s.ppid)) {
        tree.add(s.pid);
        grew = true;
      }
    }
  }
  const ticks = all.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU time (ms, all cores) the whole machine spent busy so far: /proc/stat's first line minus idle and iowait. */
function machineBusyMs(): number | undefined {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return ((user + nice + system + irq + softirq + steal) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` and returns its result with the CPU each named process tree used meanwhile, as a
 * share of one core over the wall time (1.0 = one core busy the whole time). The bench's own
 * process (the load generator) is reported as `bench`, every process of the machine together
 * (these, PostgreSQL, Kafka, Redis, the kernel's network work…) as `machine`.
 */
export async function withCpu<T>(pids: Record<string, number | undefined>, fn: () => Promise<T>): Promise<{ result: T; cores: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? processTreeCpuMs(pid) : undefined]));
  const machineBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const own = process.cpuUsage(ownBefore);
  const cores: Record<string, number> = { bench: (own.user + own.system) / 1000 / wallMs };
  for (const [k, pid] of Object.entries(pids)) {
    const after = pid ? processTreeCpuMs(pid) : undefined;
    if (after !== undefined && before[k] !== undefined) cores[k] = (after - (before[k] as number)) / wallMs;
  }
  const machineAfter = machineBusyMs();
  if (machineBefore !== undefined && machineAfter !== undefined) cores.machine = (machineAfter - machineBefore) / wallMs;
  return { result, cores };
}

/**
 * Waits until the whole machine has been quiet (below `belowCores` busy) for `windowMs`, or
 * `timeoutMs` passed: work a load left behind (consumers draining their topics, relays, the
 * database's autovacuum) must not be measured as part of the next load. Returns how long it
 * waited and how busy the last window was.
 */
export async function untilQuiet({ belowCores = 0.3, windowMs = 500, timeoutMs = 60_000 } = {}): Promise<{ waitedMs: number; cores: number | undefined }> {
  const t0 = performance.now();
  for (;;) {
    const before = machineBusyMs();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = machineBusyMs();
    const cores = before === undefined || after === undefined ? undefined : (after - before) / windowMs;
    const waitedMs = performance.now() - t0;
    if (cores === undefined || cores < belowCores || waitedMs >= timeoutMs) return { waitedMs, cores };
  }
}

export const formatCores = (cores: Record<string, number>) =>
  Object.entries(cores)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
