/**
 * Measures the stream analytics job's freshness on this machine: how long after a record is published to the
 * records topic its one-minute window's row is readable in the output topic. The job runs unbounded on a
 * local MiniCluster against a real Kafka broker, with prod's checkpoint interval (realtime.checkpointIntervalSeconds)
 * unless --checkpoint-seconds says otherwise; records are published in real time (timestamp = now, 10 a second over 2 partitions).
 * For each full minute it prints when the row became readable after the window's last record (the best case)
 * and after its first (the worst case, a full window later).
 *
 *   npx tsx local/realtime/freshness.ts [--delivery exactly-once|at-least-once] [--seconds N] [--checkpoint-seconds N]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerHelp, parseArgs, type CommandHelp } from '../../lib/cli/args';
import { LOCAL_BUILD_DIR } from '../bundle';
import { stopChild } from '../child-process';
import { createTopic } from '../kafka/admin';
import { startKafkaBroker } from '../kafka/broker';
import { localKafka } from '../kafka/producer';
import { buildFlinkJar, WINDOW_MS, type JobRow } from './job';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { STAGE_CONFIGS } from '../../lib/config';

const HELP: CommandHelp = {
  usage: 'npx tsx local/realtime/freshness.ts [options]',
  summary:
    "The stream analytics job's freshness on this machine: from a record published to its window's row readable,\n" +
    "with the job unbounded on a local MiniCluster, a real Kafka broker and prod's checkpoint interval.",
  options: [
    {
      name: '--delivery MODE',
      description: 'exactly-once (rows readable when the checkpoint commits them) or at-least-once (default exactly-once)',
    },
    { name: '--seconds N', description: 'how long to publish records (default 200: three full minutes)' },
    {
      name: '--checkpoint-seconds N',
      description: `the job's checkpoint interval (default ${STAGE_CONFIGS.prod.realtime.checkpointIntervalSeconds}, prod's realtime.checkpointIntervalSeconds)`,
    },
  ],
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  answerHelp(argv, HELP);
  const { options } = parseArgs(argv, ['delivery', 'seconds', 'checkpoint-seconds'], []);
  const delivery = String(options.delivery ?? 'exactly-once');
  const seconds = Number(options.seconds ?? 200);
  const checkpointSeconds = Number(options['checkpoint-seconds'] ?? STAGE_CONFIGS.prod.realtime.checkpointIntervalSeconds);
  if (!Number.isInteger(checkpointSeconds) || checkpointSeconds < 1)
    throw new Error(`--checkpoint-seconds must be a whole number of seconds (got ${options['checkpoint-seconds']})`);
  const workDir = path.join(LOCAL_BUILD_DIR, '..', 'realtime-freshness');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const classpathFile = await buildFlinkJar((l) => console.log(l));
  const broker = await startKafkaBroker({ dir: path.join(workDir, 'broker'), name: 'freshness Kafka broker' });
  const cleanups: Array<() => Promise<void>> = [() => broker.stop()];
  try {
    await createTopic(broker.bootstrap, 'records', 2, broker.describe());
    await createTopic(broker.bootstrap, 'analytics', 1, broker.describe());
    const logFile = path.join(workDir, 'flink-job.log');
    const job = spawn(
      'java',
      [
        '-Xmx1g',
        `-Dlog4j2.configurationFile=${path.join(PROJECT_ROOT, 'local', 'realtime', 'flink-log4j2.properties')}`,
        `-Dflink.log.file=${logFile}`,
        '-cp',
        fs.readFileSync(classpathFile, 'utf8').trim(),
        'logpipeline.analytics.AnalyticsJob',
        '--bootstrap',
        broker.bootstrap,
        '--records-topic',
        'records',
        '--output-topic',
        'analytics',
        '--group-id',
        'freshness',
        '--checkpoint-interval-ms',
        String(checkpointSeconds * 1000),
        '--delivery',
        delivery,
      ],
      { stdio: 'ignore' },
    );
    cleanups.unshift(() => stopChild(job, 10_000));

    const kafka = localKafka(broker.bootstrap, 'freshness');
    const readable = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: 'freshness-reader', readUncommitted: false });
    await consumer.connect();
    cleanups.unshift(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'analytics', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const row = JSON.parse(message.value?.toString('utf8') ?? '{}') as JobRow;
        if (row.kind === 'window' && row.dimension === 'overall' && row.window_start && !readable.has(row.window_start))
          readable.set(row.window_start, Date.now());
      },
    });

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    cleanups.unshift(() => producer.disconnect());
    const started = Date.now();
    let i = 0;
    console.log(`publishing records for ${seconds} s (delivery ${delivery}, checkpoint every ${checkpointSeconds} s)`);
    while (Date.now() - started < seconds * 1000) {
      const now = new Date().toISOString();
      await producer.send({
        topic: 'records',
        messages: [
          {
            partition: i % 2,
            value: JSON.stringify({
              event_id: i.toString(16).padStart(32, '0'),
              source: 'kafka',
              format: 'combined',
              timestamp: now,
              ingested_at: now,
              path: '/x',
              status: 200,
              bytes: 1,
            }),
          },
        ],
      });
      i++;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The last full window closes when a record 10 s (the bound) past its end arrives; then up to a checkpoint.
    await new Promise((r) => setTimeout(r, 15_000 + checkpointSeconds * 1000));
    const firstFull = Math.ceil(started / WINDOW_MS) * WINDOW_MS;
    console.log(`window (UTC)  row readable after the window's last record / after its first`);
    for (let w = firstFull; w + WINDOW_MS + 10_000 <= started + seconds * 1000; w += WINDOW_MS) {
      const at = readable.get(new Date(w).toISOString());
      console.log(
        `${new Date(w).toISOString().slice(11, 16)}         ${at === undefined ? 'not readable' : `${((at - (w + WINDOW_MS)) / 1000).toFixed(1)} s / ${((at - w) / 1000).toFixed(1)} s`}`,
      );
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
