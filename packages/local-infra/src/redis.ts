import { spawn, spawnSync } from 'node:child_process';
import { freePort, killWhenParentDies, waitForPort } from './ports';

export interface RedisHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a throw-away `redis-server` on a free loopback port, with persistence off, and kills it
 * when this process exits so no server is left behind.
 */
export async function startRedisServer(log?: (message: string) => void): Promise<RedisHandle> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)');
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => log?.(`redis: ${chunk.toString().trim()}`));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  if (child.pid) killWhenParentDies(child.pid);
  await waitForPort(port, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    embedded: true,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
