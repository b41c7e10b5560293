import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { freePort, killWhenParentDies } from '@eventix/local-infra';
import { serviceEntry, waitFor, type ServiceWorkspace } from '@eventix/testing';

const root = path.resolve(__dirname, '../..');

export const PORT_VARIABLE = { gateway: 'GATEWAY_PORT', catalog: 'CATALOG_PORT', booking: 'BOOKING_PORT', payment: 'PAYMENT_PORT' } as const;

export type ServiceName = ServiceWorkspace;

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything the process wrote so far (JSON log lines). */
  output(): string;
  /** Resolves with the exit code and signal, and how long after `since` the process exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Starts one service from its build as a process of its own with only the given environment —
 * not jest's: jest sets NODE_ENV=test, under which Apollo Server installs no signal handlers,
 * and the bug under test would hide. Resolves once the service logged `until` (that it listens).
 */
export async function startServiceProcess(name: ServiceName, env: Record<string, string>, { until = 'listening on' } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serviceEntry(name).absolute], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NODE_ENV: 'development', [PORT_VARIABLE[name]]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // No service outlives the test run, even when jest's worker is killed.
  if (child.pid) killWhenParentDies(child.pid);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  // The wait ends when the process exits too: a refused start-up leaves no poll running.
  await waitFor(() => (output.includes(until) || child.exitCode !== null || child.signalCode !== null ? true : undefined), 90_000, () => `${name} to log "${until}"; output so far:\n${output}`);
  if (child.exitCode !== null || child.signalCode !== null) {
    const { code, signal } = await exited;
    throw new Error(`${name} exited during start-up (${code ?? signal}):\n${output}`);
  }
  return { name, child, port, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export interface LauncherProcess {
  child: ChildProcess;
  /** Everything the launcher wrote so far (banner, log lines). */
  output(): string;
}

const LAUNCHER = path.resolve(__dirname, '../dist/index.js');
const BANNER_END = 'Press Ctrl-C to stop.';

/**
 * `npm start` (the built launcher) with the given environment. Resolves once it printed its
 * banner; rejects with everything it printed if it exits first or the banner does not come
 * within `timeoutMs`.
 */
export async function startLauncher(env: Record<string, string>, timeoutMs: number): Promise<LauncherProcess> {
  const child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) killWhenParentDies(child.pid);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  try {
    await waitFor(() => (output.includes(BANNER_END) || ended() ? true : undefined), timeoutMs, () => `the banner; output so far:\n${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (!output.includes(BANNER_END)) throw new Error(`the launcher exited during start-up (${child.exitCode ?? child.signalCode}):\n${output}`);
  return { child, output: () => output };
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
