import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, killWhenParentDies, repoRoot, waitForPort } from './ports';

export interface KafkaHandle {
  brokers: string[];
  logFile: string;
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Where the broker's jars are cached; default `.cache/kafka/<version>` in the repository. */
  cacheDir?: string;
  log?: (message: string) => void;
}

const READY_TIMEOUT_MS = 90_000;

function pomPath(): string {
  return path.join(repoRoot(__dirname), 'infra/kafka/pom.xml');
}

/** The broker version, pinned once in infra/kafka/pom.xml. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(pomPath(), 'utf8'));
  if (!match) throw new Error('infra/kafka/pom.xml does not pin <kafka.version>');
  return match[1];
}

/** Java and Maven are what a local broker needs; tells which one is missing. */
export function kafkaAvailable(): { ok: true } | { ok: false; reason: string } {
  for (const [tool, args] of [['java', ['-version']], ['mvn', ['-v']]] as const) {
    if (spawnSync(tool, args, { stdio: 'ignore' }).status !== 0) return { ok: false, reason: `${tool} is not installed` };
  }
  return { ok: true };
}

/**
 * Copies the pinned broker and its dependencies from Maven Central into the cache, once. A
 * lock folder keeps two concurrent callers from fetching into the same place.
 */
export function ensureJars(cacheDir: string, version: string, log?: (m: string) => void): string {
  const libs = path.join(cacheDir, 'libs');
  const marker = path.join(libs, `kafka_2.13-${version}.jar`);
  if (fs.existsSync(marker) && fs.existsSync(path.join(cacheDir, 'complete'))) return libs;
  fs.mkdirSync(cacheDir, { recursive: true });
  const lock = path.join(cacheDir, 'fetch.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (fs.existsSync(path.join(cacheDir, 'complete'))) return libs;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if no fetch is running`);
      spawnSync('sleep', ['1']);
    }
  }
  try {
    log?.(`fetching Apache Kafka ${version} from Maven Central into ${libs}`);
    const result = spawnSync(
      'mvn',
      ['-q', '-B', '-f', pomPath(), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
      { encoding: 'utf8' },
    );
    if (result.status !== 0 || !fs.existsSync(marker)) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`could not fetch Kafka ${version} with Maven:\n${output}`);
    }
    fs.writeFileSync(path.join(cacheDir, 'complete'), new Date().toISOString());
    return libs;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    'num.partitions=3',
    // One node: every internal topic has a single replica, and few partitions start faster.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
  ].join('\n');
}

export function java(libs: string, dataDir: string, args: string[]): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dkafka.logs.dir=${dataDir}`,
    `-Dlog4j2.configurationFile=${path.join(path.dirname(pomPath()), 'log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
    ...args,
  ];
}

/**
 * Starts a real single-node Apache Kafka (KRaft: broker and controller in one JVM) on free
 * loopback ports, from the jars cached by {@link ensureJars}. Resolves once a client can
 * create topics; the JVM is killed when this process exits, so no broker is left behind.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const available = kafkaAvailable();
  if (!available.ok) throw new Error(`cannot start Kafka: ${available.reason}`);
  const version = kafkaVersion();
  const libs = ensureJars(options.cacheDir ?? path.join(repoRoot(__dirname), '.cache/kafka', version), version, options.log);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = path.join(dataDir, 'server.properties');
  fs.writeFileSync(config, serverProperties(dataDir, port, controllerPort));

  const clusterId = randomClusterId();
  const format = spawnSync('java', java(libs, dataDir, ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config, '--standalone']), { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`formatting Kafka storage failed:\n${format.stdout}${format.stderr}`);

  const logFile = path.join(dataDir, 'kafka.log');
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn('java', java(libs, dataDir, ['kafka.Kafka', config]), { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  if (child.pid) killWhenParentDies(child.pid, dataDir);
  const brokers = [`127.0.0.1:${port}`];

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      waitUntilReady(brokers),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`Kafka exited with code ${code} during start-up`)))),
    ]);
  } catch (error) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    await stop();
    throw new Error(`${(error as Error).message}\n--- kafka.log ---\n${tail}`);
  }
  return { brokers, logFile, stop };
}

/** Kafka's command line reads an id starting with "-" as a flag; draw again. */
export function randomClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Ready means the group coordinator answers, not merely that the port is open. */
export async function waitUntilReady(brokers: string[]): Promise<void> {
  const [host, port] = brokers[0].split(':');
  await waitForPort(Number(port), READY_TIMEOUT_MS, host);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topic = '__eventix_ready';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    // Touching the group coordinator forces __consumer_offsets into existence before tests race
    // for it. While that topic loads the broker answers "coordinator is loading", which kafkajs's
    // admin does not retry: retry it here until the coordinator answers.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        await admin.fetchOffsets({ groupId: '__eventix_ready', topics: [topic] });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
