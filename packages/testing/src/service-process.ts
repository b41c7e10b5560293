import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { killWhenParentDies } from '@eventix/local-infra';

/** How a service process ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal sent to the process exiting. */
  ms: number;
}

const READY_TIMEOUT_MS = 90_000;
const TERM_GRACE_MS = 20_000;

/**
 * One service (a subgraph or the gateway) run as its own node process from its build, with
 * stdout and stderr appended to `<logDir>/<name>.log` across restarts. The port and environment
 * are fixed, so a restarted process comes back where clients expect it. Shared by the fault
 * suite (test/faults) and the benchmarks (bench/harness).
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<Exit>;
  private signalledAt = 0;
  /** Exits seen so far, in order (unexpected ones included). */
  readonly exits: Exit[] = [];

  constructor(
    readonly name: string,
    private readonly script: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /** The path that answers 200 once the process serves (another gateway than ours has its own). */
    private readonly readyPath = '/health/ready',
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get logFile(): string {
    return path.join(this.logDir, `${this.name}.log`);
  }

  /** Spawns the process and resolves once GET `readyPath` (/health/ready) answers 200. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    fs.appendFileSync(this.logFile, `\n===== ${new Date().toISOString()} start ${this.name} =====\n`);
    const out = fs.openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [this.script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    // Also when this process is SIGKILLed (a jest timeout): no service outlives the suite.
    if (child.pid) killWhenParentDies(child.pid);
    this.exited = new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => {
        process.removeListener('exit', killOnExit);
        const exit = { code, signal, ms: this.signalledAt ? Date.now() - this.signalledAt : 0 };
        this.exits.push(exit);
        fs.appendFileSync(this.logFile, `===== ${new Date().toISOString()} ${this.name} exited code=${code} signal=${signal} =====\n`);
        resolve(exit);
      }),
    );
    await this.waitReady();
  }

  /** Polls `readyPath` until 200; fails when the process dies first or after the timeout. */
  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<number> {
    const t0 = Date.now();
    let last = 'no answer';
    while (Date.now() - t0 < timeoutMs) {
      if (!this.running) throw new Error(`${this.name} exited while starting (see ${this.logFile}): ${last}`);
      try {
        const res = await fetch(`${this.url}${this.readyPath}`, { signal: AbortSignal.timeout(3_000) });
        if (res.status === 200) return Date.now() - t0;
        last = `${res.status} ${await res.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms (see ${this.logFile}): ${last}`);
  }

  /**
   * Sends `signal` and resolves with how the process ended. A SIGTERM that does not end it
   * within the grace period is followed by SIGKILL (the exit then shows signal SIGKILL).
   */
  async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<Exit> {
    if (!this.running || !this.child || !this.exited) throw new Error(`${this.name} is not running`);
    this.signalledAt = Date.now();
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), TERM_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.signalledAt = 0;
    }
  }

  /** Resident memory of the running process in kB (VmRSS of /proc/<pid>/status). */
  rssKb(): number | undefined {
    const pid = this.pid;
    if (!pid) return undefined;
    try {
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the process if it runs (SIGTERM, then SIGKILL), for the end of a run. */
  async stop(): Promise<void> {
    if (this.running) await this.kill('SIGTERM');
  }
}
