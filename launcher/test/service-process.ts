import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { freePort, killWhenParentDies } from '@eventix/local-infra';
import { serviceEntry, waitFor, type ServiceWorkspace } from '@eventix/testing';

const root = path.resolve(__dirname, '../..');

export const PORT_VARIABLE = { gateway: 'GATEWAY_PORT', catalog: 'CATALOG_PORT', booking: 'BOOKING_PORT', payment: 'PAYMENT_PORT' } as const;

export type ServiceName = ServiceWorkspace;

type Exit = { code: number | null; signal: NodeJS.Signals | null; at: number };

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything the process wrote so far (JSON log lines). */
  output(): string;
  /** Resolves with the exit code and signal, and how long after `since` the process exited. */
  exited: Promise<Exit>;
}

interface StartedProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<Exit>;
}

/**
 * Runs `script` with Node and only the given environment, and resolves once it printed `until`.
 * Rejects with everything it printed if it exits first, or (killing it) if `until` does not come
 * within `timeoutMs`. No such process outlives the test run, even when jest's worker is killed.
 */
async function startUntil(name: string, script: string, env: Record<string, string>, until: string, timeoutMs: number, cwd?: string): Promise<StartedProcess> {
  const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) killWhenParentDies(child.pid);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  try {
    // The wait ends when the process exits too: a refused start-up leaves no poll running.
    await waitFor(() => (output.includes(until) || ended() ? true : undefined), timeoutMs, () => `${name} to print "${until}"; output so far:\n${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (!output.includes(until)) {
    const { code, signal } = await exited;
    throw new Error(`${name} exited during start-up (${code ?? signal}):\n${output}`);
  }
  return { child, output: () => output, exited };
}

/**
 * Starts one service from its build as a process of its own with only the given environment —
 * not jest's: jest sets NODE_ENV=test, under which Apollo Server installs no signal handlers,
 * and the bug under test would hide. Resolves once the service logged `until` (that it listens).
 */
export async function startServiceProcess(name: ServiceName, env: Record<string, string>, { until = 'listening on' } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const fullEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NODE_ENV: 'development', [PORT_VARIABLE[name]]: String(port), ...env };
  const { child, output, exited } = await startUntil(name, serviceEntry(name).absolute, fullEnv, until, 90_000, root);
  return { name, child, port, baseUrl: `http://127.0.0.1:${port}`, output, exited };
}

export interface LauncherProcess {
  child: ChildProcess;
  /** Everything the launcher wrote so far (banner, log lines). */
  output(): string;
}

/**
 * `npm start` (the built launcher) with the given environment. Resolves once it printed its
 * banner; rejects with everything it printed if it exits first or the banner does not come
 * within `timeoutMs`.
 */
export async function startLauncher(env: Record<string, string>, timeoutMs: number): Promise<LauncherProcess> {
  const { child, output } = await startUntil('the launcher', path.resolve(__dirname, '../dist/index.js'), env, 'Press Ctrl-C to stop.', timeoutMs);
  return { child, output };
}

export interface SlowRequest {
  /** Sends the rest of the body; the server has been waiting for it. */
  finish(): void;
  response: Promise<{ status: number; body: string }>;
}

/**
 * A POST whose body arrives in two parts: after the first the request is in flight on the
 * server (its handler is reading the body), however fast the operation itself is.
 */
export async function startSlowPost(url: string, body: string, headers: Record<string, string> = {}): Promise<SlowRequest> {
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  response.catch(() => undefined); // awaited by the test; this only keeps an early failure from being unhandled
  req.write(body.slice(0, 8));
  // Give the server time to accept the connection and start reading the body.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { finish: () => req.end(body.slice(8)), response };
}

/** True when a new TCP connection to the port is refused (the server stopped accepting). */
export function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', () => resolve(true));
  });
}

/**
 * The environment `npm start` gets in a test: a fresh data folder the `postgres` user can
 * enter, free ports for embedded PostgreSQL and the gateway, OS-picked ports for the subgraphs.
 */
export async function launcherEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    EVENTIX_DATA_DIR: dataDir,
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    CATALOG_PORT: '0',
    BOOKING_PORT: '0',
    PAYMENT_PORT: '0',
    WEB_PORT: '0',
  };
}
