/**
 * The stream analytics job (analytics/flink) on this machine: its jar built through ./mvnw
 * (scripts/flink-jar.sh), the Kafka path's lake records (read back to compare), the job's main() on a local
 * MiniCluster with a bounded source (it reads to the offsets at start, then every
 * window fires and it finishes), its output rows read back read_committed (the sink writes them in Kafka
 * transactions), and the same minutes counted from the lake records directly, to compare.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { LAKE_PREFIXES } from '../../contracts/lake-layout';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { tail } from '../child-process';
import { KafkaBrokerError, withTimeout } from '../kafka/broker';
import { localKafka } from '../kafka/producer';
import { readLake } from '../lake-inventory';
import { runStreaming } from '../steps/run-streaming';

export const WINDOW_MS = 60_000;

/** Builds (or finds up to date) the job's jar; returns the file listing its local classpath. */
export async function buildFlinkJar(log: (line: string) => void): Promise<string> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'flink-jar.sh');
  const { status, output } = await runStreaming('bash', [script], (line) => log(`  ${line}`));
  if (status !== 0)
    throw new Error(`scripts/flink-jar.sh exited ${status}: ${output.filter((l) => l.includes('ERROR')).join(' ') || 'see above'}`);
  const classpathFile = path.join(PROJECT_ROOT, 'analytics', 'flink', 'target', 'classpath.txt');
  if (!fs.existsSync(classpathFile)) throw new Error(`scripts/flink-jar.sh finished but ${classpathFile} is missing`);
  return classpathFile;
}

/** One lake record with the raw topic partition and offset order it came in. */
export interface LakeRecord {
  readonly partition: number;
  readonly record: Record<string, unknown>;
}

/** A raw/source=kafka object is named <topic>-<partition>-<first offset>.gz (lambda/kafka-consumer/consume.ts). */
const KAFKA_OBJECT = /-(\d+)-(\d+)\.gz$/;

/** The Kafka path's lake records, per raw-topic partition in offset order. */
export async function kafkaLakeRecords(s3: S3Client, bucket: string): Promise<LakeRecord[]> {
  const lake = await readLake(s3, bucket, [`${LAKE_PREFIXES.raw}source=kafka/`]);
  if (lake.problems.length > 0) throw new Error(`the Kafka path's lake objects cannot be read: ${lake.problems.slice(0, 3).join('; ')}`);
  const position = (key: string): [number, number] => {
    const m = KAFKA_OBJECT.exec(key);
    if (!m) throw new Error(`lake object ${key} is not named <topic>-<partition>-<first offset>.gz`);
    return [Number(m[1]), Number(m[2])];
  };
  const order = new Map<string, number>(lake.rawLines.map((l, i) => [`${l.key}#${i}`, i]));
  return lake.rawLines
    .map((l, i) => ({ l, i, at: position(l.key) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || (order.get(`${a.l.key}#${a.i}`) ?? 0) - (order.get(`${b.l.key}#${b.i}`) ?? 0))
    .map(({ l, at }) => ({ partition: at[0], record: l.record }));
}

/**
 * Publishes each record, as its JSON line, to the same partition of a records topic as its line had in the
 * raw topic, in offset order. Not the local run's publisher (the consumer Lambda publishes there): the job's
 * integration test (test/integration/realtime-job.test.ts) feeds its input this way, without a consumer.
 */
export async function publishRecords(bootstrap: string, topic: string, records: readonly LakeRecord[], brokerName: string): Promise<void> {
  const producer = localKafka(bootstrap, 'log-pipeline-local-records').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await withTimeout(producer.connect(), 30_000, `connecting a producer to ${brokerName}`);
  try {
    for (let i = 0; i < records.length; i += 500) {
      const messages = records.slice(i, i + 500).map((r) => ({ partition: r.partition, value: JSON.stringify(r.record) }));
      await withTimeout(producer.send({ topic, acks: -1, messages }), 60_000, `publishing records to ${topic} on ${brokerName}`);
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

export interface JobRun {
  readonly ms: number;
  readonly logFile: string;
}

/** Runs the job's main() on a local MiniCluster, bounded, until it finishes. */
export async function runBoundedJob(options: {
  readonly classpathFile: string;
  readonly bootstrap: string;
  readonly recordsTopic: string;
  readonly outputTopic: string;
  readonly groupId: string;
  readonly logFile: string;
  readonly timeoutMs: number;
}): Promise<JobRun> {
  const started = Date.now();
  fs.rmSync(options.logFile, { force: true });
  const args = [
    '-Xmx1g',
    `-Dlog4j2.configurationFile=${path.join(PROJECT_ROOT, 'local', 'realtime', 'flink-log4j2.properties')}`,
    `-Dflink.log.file=${options.logFile}`,
    '-cp',
    fs.readFileSync(options.classpathFile, 'utf8').trim(),
    'logpipeline.analytics.AnalyticsJob',
    '--bounded',
    '--bootstrap',
    options.bootstrap,
    '--records-topic',
    options.recordsTopic,
    '--output-topic',
    options.outputTopic,
    '--group-id',
    options.groupId,
    // A bounded job ends with a final checkpoint, which commits the sink's last transaction.
    '--checkpoint-interval-ms',
    '1000',
  ];
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const status = await new Promise<number | string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`timed out after ${options.timeoutMs / 1000} s`);
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  if (status !== 0) {
    throw new Error(
      `the Flink job exited ${status}:\n${output.join('').split('\n').slice(-15).join('\n')}\n${fs.existsSync(options.logFile) ? tail(options.logFile, 15) : ''}`,
    );
  }
  return { ms: Date.now() - started, logFile: options.logFile };
}

/** Every message of a topic, read_committed (what the exactly-once sink committed), up to its end offsets. */
export async function readTopic(bootstrap: string, topic: string, brokerName: string): Promise<string[]> {
  const kafka = localKafka(bootstrap, 'log-pipeline-local-reader');
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 30_000, `connecting to ${brokerName}`);
  // The last stable offset: with read_committed a consumer reads up to it, so "caught up" is measured there.
  const ends = await withTimeout(admin.fetchTopicOffsets(topic), 30_000, `end offsets of ${topic}`).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > 0).map((p) => [p.partition, Number(p.high)]));
  const values: string[] = [];
  if (remaining.size === 0) return values;
  const consumer = kafka.consumer({ groupId: `local-reader-${Date.now()}`, readUncommitted: false });
  await withTimeout(consumer.connect(), 30_000, `connecting a consumer to ${brokerName}`);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        // A transaction's commit marker takes the last offset of each partition it wrote to, so a partition is
        // read when its last data message (end - 2) has been; an aborted transaction at the end would leave
        // that unreached, so five quiet seconds after the last message also end the read.
        let quiet: NodeJS.Timeout | undefined;
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              if (message.value) values.push(message.value.toString('utf8'));
              clearTimeout(quiet);
              quiet = setTimeout(resolve, 5_000);
              if (Number(message.offset) >= (remaining.get(partition) ?? 0) - 2) {
                remaining.delete(partition);
                if (remaining.size === 0) {
                  clearTimeout(quiet);
                  resolve();
                }
              }
            },
          })
          .catch(reject);
      }),
      60_000,
      `reading ${topic} on ${brokerName}`,
    );
  } catch (error) {
    throw error instanceof KafkaBrokerError ? error : new Error(`reading ${topic} failed: ${String(error)}`);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return values;
}

/** Per minute of event time, counted straight from lake records: what the job's rows must add up to. */
export interface MinuteCounts {
  records: number;
  requests: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
}

export function emptyCounts(): MinuteCounts {
  return { records: 0, requests: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0 };
}

export function addStatus(counts: MinuteCounts, status: unknown): void {
  counts.records++;
  if (typeof status !== 'number') return;
  counts.requests++;
  if (status >= 200 && status < 300) counts.status2xx++;
  else if (status >= 300 && status < 400) counts.status3xx++;
  else if (status >= 400 && status < 500) counts.status4xx++;
  else if (status >= 500 && status < 600) counts.status5xx++;
}

export function minuteOf(iso: string): string {
  const ms = Date.parse(iso);
  return new Date(ms - (((ms % WINDOW_MS) + WINDOW_MS) % WINDOW_MS)).toISOString();
}

/** Lake records per event-time minute (window_start ISO → counts). */
export function lakeMinutes(records: readonly LakeRecord[]): Map<string, MinuteCounts> {
  const minutes = new Map<string, MinuteCounts>();
  for (const { record } of records) {
    const minute = minuteOf(String(record.timestamp));
    const counts = minutes.get(minute) ?? emptyCounts();
    addStatus(counts, record.status);
    minutes.set(minute, counts);
  }
  return minutes;
}

export interface JobRow {
  readonly kind: 'window' | 'burst' | 'late' | 'invalid';
  readonly window_start?: string;
  readonly window_end?: string;
  readonly dimension?: string;
  readonly key?: string;
  readonly [field: string]: unknown;
}

/** The job's overall windows plus its late records, per minute: each must equal the lake's count. */
export function jobMinutes(rows: readonly JobRow[]): Map<string, MinuteCounts & { late: number }> {
  const minutes = new Map<string, MinuteCounts & { late: number }>();
  const at = (minute: string) => {
    const m = minutes.get(minute) ?? { ...emptyCounts(), late: 0 };
    minutes.set(minute, m);
    return m;
  };
  for (const row of rows) {
    if (row.kind === 'window' && row.dimension === 'overall' && row.window_start) {
      const m = at(row.window_start);
      m.records += Number(row.records);
      m.requests += Number(row.requests);
      m.status2xx += Number(row.status_2xx);
      m.status3xx += Number(row.status_3xx);
      m.status4xx += Number(row.status_4xx);
      m.status5xx += Number(row.status_5xx);
    } else if (row.kind === 'late' && row.window_start) {
      const m = at(row.window_start);
      m.late++;
      addStatus(m, row.status);
    }
  }
  return minutes;
}

/** Where the job's minutes (windows + late) and the lake's differ; empty when they are equal. */
export function compareMinutes(job: ReadonlyMap<string, MinuteCounts>, lake: ReadonlyMap<string, MinuteCounts>): string[] {
  const problems: string[] = [];
  for (const minute of [...new Set([...job.keys(), ...lake.keys()])].sort()) {
    const j = job.get(minute) ?? emptyCounts();
    const l = lake.get(minute) ?? emptyCounts();
    for (const field of ['records', 'requests', 'status2xx', 'status3xx', 'status4xx', 'status5xx'] as const) {
      if (j[field] !== l[field])
        problems.push(`minute ${minute}: ${field} ${j[field]} in the job's rows (windows + late) but ${l[field]} in the lake`);
    }
  }
  return problems;
}

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '-');

/** The per-minute table of the overall windows, with late counts, and the bursts. */
export function minuteTable(rows: readonly JobRow[]): string[] {
  const job = jobMinutes(rows);
  const overall = new Map(rows.filter((r) => r.kind === 'window' && r.dimension === 'overall').map((r) => [r.window_start ?? '', r]));
  const lines = [
    `${'window (event time, UTC)'.padEnd(27)} ${'records'.padStart(7)} ${'reqs'.padStart(5)} ${'2xx'.padStart(5)} ${'3xx'.padStart(4)} ${'4xx'.padStart(4)} ${'5xx'.padStart(4)} ${'5xx%'.padStart(6)} ${'err%'.padStart(6)} ${'p50 B'.padStart(7)} ${'p99 B'.padStart(7)} ${'late'.padStart(4)}  top 5xx path`,
  ];
  for (const minute of [...job.keys()].sort()) {
    const r = overall.get(minute);
    const late = job.get(minute)?.late ?? 0;
    const bounds = `${minute.slice(0, 16).replace('T', ' ')}–${r?.window_end ? String(r.window_end).slice(11, 16) : '     '}`;
    const top =
      Array.isArray(r?.top_paths_by_5xx) && r.top_paths_by_5xx.length > 0
        ? (r.top_paths_by_5xx[0] as { path: string; status_5xx: number })
        : undefined;
    lines.push(
      `${bounds.padEnd(27)} ${String(r?.records ?? 0).padStart(7)} ${String(r?.requests ?? 0).padStart(5)} ${String(r?.status_2xx ?? 0).padStart(5)} ${String(r?.status_3xx ?? 0).padStart(4)} ${String(r?.status_4xx ?? 0).padStart(4)} ${String(r?.status_5xx ?? 0).padStart(4)} ${pct(r?.share_5xx).padStart(6)} ${pct(r?.error_share).padStart(6)} ${String(r?.bytes_p50 ?? '-').padStart(7)} ${String(r?.bytes_p99 ?? '-').padStart(7)} ${String(late).padStart(4)}  ${top ? `${top.path} (${top.status_5xx})` : ''}`,
    );
  }
  for (const b of rows.filter((r) => r.kind === 'burst')) {
    lines.push(
      `error burst: host ${b.key} in ${String(b.window_start).slice(0, 16).replace('T', ' ')}–${String(b.window_end).slice(11, 16)}: ${b.status_5xx} 5xx of ${b.requests} requests (${pct(b.share_5xx)}), quiet until ${String(b.quiet_until).slice(11, 16)}`,
    );
  }
  return lines;
}
