import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';

/**
 * A free TCP port on loopback for a server that binds it a moment later. Picked below the
 * kernel's ephemeral range: a port the kernel hands out (listen on 0) is also where it puts the
 * local end of outgoing connections, so in a busy test run a client socket could take it
 * between this check and the server's bind (embedded PostgreSQL then fails to start).
 */
export async function freePort(): Promise<number> {
  const [low, high] = (portsBelowEphemeral ??= belowEphemeralRange());
  for (let attempt = 0; attempt < 20 && high > low; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  return listenAndRelease(0);
}

/** Read once per process: the range is a boot-time setting. */
let portsBelowEphemeral: [number, number] | undefined;

/** [low, high) of ports the kernel never picks for itself; empty when that cannot be read. */
function belowEphemeralRange(): [number, number] {
  try {
    const [ephemeralLow] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(ephemeralLow) && ephemeralLow > 20_000) return [20_000, ephemeralLow];
  } catch {
    // not Linux: the kernel's choice (port 0) below
  }
  return [0, 0];
}

function canListen(port: number): Promise<boolean> {
  return listenAndRelease(port).then(
    () => true,
    () => false,
  );
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The repository root: the nearest folder above `from` that holds turbo.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'turbo.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * Kills `childPid` (and removes `cleanupDir`) if this Node process dies without running its
 * 'exit' handlers — SIGKILL, an unhandled signal — so no orphan server keeps ports and memory.
 * `signal` is what the child gets: KILL for servers whose state is thrown away, INT for one
 * that must stop cleanly (PostgreSQL's fast shutdown keeps a persistent cluster consistent).
 * A POSIX shell rather than Node: it costs next to nothing and keeps no event loop alive.
 */
export function killWhenParentDies(childPid: number, cleanupDir = '', signal: 'KILL' | 'INT' = 'KILL'): void {
  const script = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    'kill -0 "$1" 2>/dev/null && exit 0',
    'kill -s "$4" "$2" 2>/dev/null',
    'if [ -n "$3" ]; then sleep 1; rm -rf -- "$3"; fi',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'eventix-watchdog', String(process.pid), String(childPid), cleanupDir, signal], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => undefined); // best effort: the 'exit' hook still covers normal exits
  watchdog.unref();
}
