import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from '@eventix/local-infra';

export interface RestartableRedis {
  url: string;
  /** Kills the server as a crash would (SIGKILL): clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, so clients reconnect to the same URL. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, commands get no answer, as when swapping. */
  pause(): void;
  resume(): void;
}

/**
 * A redis-server of this test file alone, so stopping it disturbs nobody else. Unlike
 * @eventix/local-infra's startRedisServer it keeps its port across restarts: recovery is only
 * real when the clients come back to the address they were configured with.
 */
export async function restartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const handle: RestartableRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await waitForPort(port, 10_000);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      child.kill('SIGCONT');
      await exited;
    },
  };
  await handle.start();
  return handle;
}
