/**
 * A real Apache Kafka broker for local runs and integration tests: Kafka 4.x in KRaft mode (one process
 * that is both controller and broker, as Kafka 4 has no ZooKeeper), from the jars scripts/kafka-jars.sh
 * fetches, bound to 127.0.0.1 on free ports. Storage is formatted once; start, stop, SIGKILL and restart
 * reuse the same log directory and ports, so clients reconnect to the same address and see the same data.
 *
 * Every call has a timeout, and every failure names the broker, its address and the tail of its log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { hasExited, killWithParent, sleep, stopChild, tail } from '../child-process';
import { startOnFreePorts } from '../server-ports';
import { displayPath } from '../display-path';

const KAFKA_DIR = path.join(PROJECT_ROOT, 'local', 'kafka');
export const BROKER_LOG4J_CONFIG = path.join(KAFKA_DIR, 'log4j2.properties');
export const TOOLS_LOG4J_CONFIG = path.join(KAFKA_DIR, 'tools-log4j2.properties');

/**
 * Tuned to start in seconds on a small shared machine: serial GC and the C1 compiler only (a short-lived
 * broker never repays C2's compile time), a small heap, no perf data file.
 */
export const BROKER_JVM_OPTIONS: readonly string[] = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xms128m',
  '-Xmx512m',
  '-Xss512k',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
  '-Djava.net.preferIPv4Stack=true',
];

/** The console tools start a JVM each: the same quick-start flags, a smaller heap. */
export const TOOLS_JVM_OPTIONS: readonly string[] = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xmx256m', '-XX:-UsePerfData'];

const DEFAULT_READY_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const FORMAT_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

/** Thrown when the broker cannot be set up, started, or stops answering; the message says what to do. */
export class KafkaBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaBrokerError';
  }
}

/**
 * Runs scripts/kafka-jars.sh (cached after the first run); returns the folder of the jars. Its progress lines
 * (stderr: what it fetches and how large, Maven's errors) go to `log` as they come: a first fetch takes tens of
 * seconds and must not be silent. The folder is its last stdout line.
 */
export async function ensureKafkaJars(log: (line: string) => void = () => undefined): Promise<string> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'kafka-jars.sh');
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  const lines = readline.createInterface({ input: child.stderr, crlfDelay: Infinity });
  lines.on('line', (line) => {
    stderr.push(line);
    if (line.trim() !== '') log(line);
  });
  const [status, error] = await new Promise<[number | string, Error | undefined]>((resolve) => {
    child.once('error', (e) => resolve(['not started', e]));
    child.once('close', (code, signal) => resolve([code ?? signal ?? 'unknown', undefined]));
  });
  const libDir = Buffer.concat(stdout).toString('utf8').trim().split('\n').pop() ?? '';
  if (status !== 0 || !fs.existsSync(libDir)) {
    throw new KafkaBrokerError(
      `The Kafka jars are not available and could not be fetched.\nRun: bash scripts/kafka-jars.sh\n--- its output ---\n` +
        `${stderr.join('\n')}${error ? String(error) : ''}`,
    );
  }
  return libDir;
}

/** `java -cp '<lib>/*' …` with the given log4j2 config: how the broker and the console tools are run. */
export function javaCommand(
  libDir: string,
  jvmOptions: readonly string[],
  log4jConfig: string,
  mainClass: string,
  args: readonly string[],
): string[] {
  return ['java', ...jvmOptions, `-Dlog4j2.configurationFile=${log4jConfig}`, '-cp', `${libDir}/*`, mainClass, ...args];
}

export interface StartBrokerOptions {
  /** Holds server.properties, the log directory (`data/`) and the broker's output (`broker.log`). */
  readonly dir: string;
  /** Named in every message. @default 'local Kafka broker' */
  readonly name?: string;
  /** @default DEFAULT_READY_TIMEOUT_MS */
  readonly readyTimeoutMs?: number;
  /** Topic partitions when a topic is created without a count. @default 1 */
  readonly defaultPartitions?: number;
  /** Progress lines of the jar fetch (scripts/kafka-jars.sh). @default none */
  readonly log?: (line: string) => void;
}

export interface KafkaBroker {
  readonly name: string;
  /** host:port for clients, e.g. 127.0.0.1:41234 */
  readonly bootstrap: string;
  readonly dir: string;
  readonly logFile: string;
  readonly libDir: string;
  /** The running JVM's pid, undefined while stopped. */
  readonly pid: number | undefined;
  /** Milliseconds from spawn to answering metadata requests, for each start (the first, then restarts). */
  readonly startTimesMs: readonly number[];
  /** Resident memory of the running broker (from /proc), undefined when stopped or unknown. */
  rssBytes(): number | undefined;
  /** Graceful stop (SIGTERM, SIGKILL after the timeout); the data stays. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL, as a crash would: no controlled shutdown, nothing flushed. */
  kill(): Promise<void>;
  /** Starts again on the same ports and log directory (stops first if running) and waits until ready. */
  restart(): Promise<void>;
  /** Describes the broker for messages: name, address, pid, log. */
  describe(): string;
}

/** Formats storage (first time only) and starts the broker; resolves once it answers metadata requests. */
export async function startKafkaBroker(options: StartBrokerOptions): Promise<KafkaBroker> {
  const libDir = await ensureKafkaJars(options.log);
  const name = options.name ?? 'local Kafka broker';
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const dir = path.resolve(options.dir);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'broker.log');
  const propertiesFile = path.join(dir, 'server.properties');
  fs.mkdirSync(dir, { recursive: true });

  let bootstrap = '';

  let child: ChildProcess | undefined;
  let release: (() => void) | undefined;
  const startTimesMs: number[] = [];
  const describe = () =>
    `${name} at ${bootstrap} (${child && !hasExited(child) ? `pid ${child.pid}` : 'not running'}, log ${displayPath(logFile)})`;

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const logFd = fs.openSync(logFile, 'a');
    const [command, ...args] = javaCommand(libDir, BROKER_JVM_OPTIONS, BROKER_LOG4J_CONFIG, 'kafka.Kafka', [propertiesFile]);
    const spawned = spawn(command, args, { stdio: ['ignore', logFd, logFd], cwd: dir });
    fs.closeSync(logFd);
    child = spawned;
    release = killWithParent(spawned);
    try {
      await waitUntilReady(spawned, bootstrap, readyTimeoutMs, describe, logFile, logOffset);
    } catch (error) {
      release();
      await stopChild(spawned, 2_000);
      throw error;
    }
    startTimesMs.push(Date.now() - started);
  };

  const stop = async (timeoutMs = DEFAULT_STOP_TIMEOUT_MS, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const running = child;
    if (!running || hasExited(running)) return;
    release?.();
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    if (signal === 'SIGKILL') running.kill('SIGKILL');
    else void stopChild(running, timeoutMs);
    await withTimeout(exited, timeoutMs + 5_000, `${describe()}: exit after ${signal}`);
  };

  // The ports are chosen once: a restart reuses them, so clients reconnect to the same address.
  await startOnFreePorts(
    2,
    async ([port, controllerPort]) => {
      const defaultPartitions = options.defaultPartitions ?? 1;
      fs.writeFileSync(propertiesFile, serverProperties({ port, controllerPort, dataDir, defaultPartitions }));
      bootstrap = `127.0.0.1:${port}`;
      if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) formatStorage(libDir, propertiesFile, logFile, name);
      await launch();
    },
    () => options.log?.(`${name}: a port was taken before the broker bound it; starting again on new ports`),
  );
  return {
    name,
    bootstrap,
    dir,
    logFile,
    libDir,
    get pid() {
      return child && !hasExited(child) ? child.pid : undefined;
    },
    startTimesMs,
    rssBytes: () => {
      if (!child || hasExited(child)) return undefined;
      try {
        const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kib === undefined ? undefined : Number(kib) * 1024;
      } catch {
        return undefined;
      }
    },
    stop: (timeoutMs) => stop(timeoutMs),
    kill: () => stop(DEFAULT_STOP_TIMEOUT_MS, 'SIGKILL'),
    restart: async () => {
      await stop();
      await launch();
    },
    describe,
  };
}

function serverProperties(settings: { port: number; controllerPort: number; dataDir: string; defaultPartitions: number }): string {
  const { port, controllerPort, dataDir, defaultPartitions } = settings;
  return [
    '# Written by local/kafka/broker.ts: a single KRaft node (controller and broker), loopback only.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // As the MSK configuration the CDK app deploys: topics exist only when created on purpose.
    'auto.create.topics.enable=false',
    `num.partitions=${defaultPartitions}`,
    // One node: every internal topic with one replica, and one partition each (fewer files, faster start).
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Short heartbeats and no rebalance delay: a consumer group forms, and a restarted broker is back in
    // service, in about a second instead of the production defaults' several.
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=3000',
    'controller.quorum.fetch.timeout.ms=2000',
    'controller.quorum.election.timeout.ms=500',
    '',
  ].join('\n');
}

/**
 * A fresh cluster id: Kafka's 22-char base64url UUID. Like Kafka's own Uuid.randomUuid, never one that
 * starts with '-' (1 in 64 do), which the storage tool's argument parser reads as an option.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** kafka.tools.StorageTool format with a fresh cluster id. */
function formatStorage(libDir: string, propertiesFile: string, logFile: string, name: string): void {
  const clusterId = newClusterId();
  const [command, ...args] = javaCommand(libDir, TOOLS_JVM_OPTIONS, TOOLS_LOG4J_CONFIG, 'kafka.tools.StorageTool', [
    'format',
    '--cluster-id',
    clusterId,
    '--config',
    propertiesFile,
  ]);
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: FORMAT_TIMEOUT_MS });
  fs.appendFileSync(logFile, `--- kafka.tools.StorageTool format ---\n${result.stdout}${result.stderr}\n`);
  if (result.status !== 0) {
    throw new KafkaBrokerError(
      `${name}: formatting storage failed (exit ${result.status ?? result.signal}${result.error ? `, ${String(result.error)}` : ''}):\n` +
        `${result.stdout}${result.stderr}`.trim(),
    );
  }
}

/** Until the broker answers a metadata request (describeCluster) from a real client. */
async function waitUntilReady(
  child: ChildProcess,
  bootstrap: string,
  timeoutMs: number,
  describe: () => string,
  logFile: string,
  logOffset: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'local-broker-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
  });
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new KafkaBrokerError(
        `${describe()} exited during start-up (${child.exitCode ?? child.signalCode}). Its log:\n${tail(logFile, 30)}`,
      );
    }
    // The port opens before the broker is registered and unfenced; a metadata answer means it serves.
    if (logSince(logFile, logOffset).includes('Kafka Server started') && (await answersMetadata(kafka))) return;
    await sleep(100);
  }
  throw new KafkaBrokerError(`${describe()} did not answer within ${timeoutMs / 1000}s. Its log:\n${tail(logFile, 30)}`);
}

/** What the broker wrote to its log since `offset` (this start's output, not an earlier one's). */
function logSince(logFile: string, offset: number): string {
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const length = Math.max(0, fs.fstatSync(fd).size - offset);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, offset);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

async function answersMetadata(kafka: Kafka): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await withTimeout(admin.connect(), PROBE_TIMEOUT_MS, 'connect');
    const cluster = await withTimeout(admin.describeCluster(), PROBE_TIMEOUT_MS, 'describeCluster');
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Rejects with a KafkaBrokerError naming `what` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaBrokerError(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
