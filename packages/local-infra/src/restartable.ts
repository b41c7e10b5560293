import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureJars, java, kafkaAvailable, kafkaVersion, randomClusterId, serverProperties, waitUntilReady } from './kafka';
import { freePort, killWhenParentDies, repoRoot, waitForPort } from './ports';

/**
 * A server that can be stopped and started again on the same port with the same data, so a
 * fault test can take a component away from running services and give it back: clients keep
 * their configured address and must reconnect on their own.
 */
export interface RestartableServer {
  /** Pid of the running server, undefined while stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Stops the server: SIGTERM (clean shutdown) or SIGKILL (crash); resolves once it exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it serves. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing is answered — the hard outage. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

export interface RestartableRedis extends RestartableServer {
  url: string;
}

export interface RestartableKafka extends RestartableServer {
  brokers: string[];
  logFile: string;
}

/** Ends `child` with `signal`, escalating to SIGKILL after `graceMs`. */
async function endProcess(child: ChildProcess | undefined, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT'); // a paused server cannot act on SIGTERM
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * One process at a time under a fixed start command; the 'exit' hook and the watchdog make sure
 * no server outlives this process, whichever incarnation is running.
 */
function supervise(launch: () => ChildProcess, ready: (child: ChildProcess) => Promise<void>, cleanupDir: string, graceMs: number): RestartableServer {
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const server: RestartableServer = {
    get pid() {
      return running() ? child?.pid : undefined;
    },
    get running() {
      return running();
    },
    async start() {
      if (running()) return;
      child = launch();
      process.once('exit', killOnExit);
      if (child.pid) killWhenParentDies(child.pid);
      const current = child;
      await Promise.race([
        ready(current),
        new Promise((_, reject) => current.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) during start-up`)))),
      ]);
    },
    async stop(signal = 'SIGTERM') {
      process.removeListener('exit', killOnExit);
      await endProcess(child, signal, graceMs);
    },
    async dispose() {
      await server.stop('SIGKILL');
      if (cleanupDir) fs.rmSync(cleanupDir, { recursive: true, force: true });
    },
    pause() {
      if (running()) child?.kill('SIGSTOP');
    },
    resume() {
      if (running()) child?.kill('SIGCONT');
    },
  };
  return server;
}

/** A `redis-server` (no persistence, like {@link startRedisServer}) that can be stopped and restarted on its port. */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const server = supervise(
    () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
    () => waitForPort(port, 10_000),
    '',
    5_000,
  );
  await server.start();
  return Object.assign(server, { url: `redis://127.0.0.1:${port}` });
}

/**
 * A single-node KRaft broker like {@link startKafka}, whose ports and log directory survive a
 * stop, so a restart brings back the same topics, offsets and consumer groups.
 */
export async function startRestartableKafka(options: { log?: (message: string) => void } = {}): Promise<RestartableKafka> {
  const available = kafkaAvailable();
  if (!available.ok) throw new Error(`cannot start Kafka: ${available.reason}`);
  const version = kafkaVersion();
  const libs = ensureJars(path.join(repoRoot(__dirname), '.cache/kafka', version), version, options.log);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = path.join(dataDir, 'server.properties');
  fs.writeFileSync(config, serverProperties(dataDir, port, controllerPort));
  const format = spawnSync('java', java(libs, dataDir, ['kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', config, '--standalone']), { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`formatting Kafka storage failed:\n${format.stdout}${format.stderr}`);
  const logFile = path.join(dataDir, 'kafka.log');
  const brokers = [`127.0.0.1:${port}`];
  const server = supervise(
    () => {
      const out = fs.openSync(logFile, 'a');
      const child = spawn('java', java(libs, dataDir, ['kafka.Kafka', config]), { stdio: ['ignore', out, out] });
      fs.closeSync(out);
      return child;
    },
    () => waitUntilReady(brokers),
    dataDir,
    // A clean broker shutdown writes its logs and controller snapshot; give it time.
    20_000,
  );
  try {
    await server.start();
  } catch (error) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    await server.dispose();
    throw new Error(`Kafka: ${(error as Error).message}\n--- kafka.log ---\n${tail}`);
  }
  return Object.assign(server, { brokers, logFile });
}
