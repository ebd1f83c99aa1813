/**
 * The stream analytics (analytics/flink) over the Kafka path's lines: the records the consumer Lambda published
 * to the records topic on the local broker in the kafka step (docs/analytics-realtime.md), read by the job
 * bounded on a local MiniCluster; its per-minute table is printed and checked against the lake: per minute of
 * event time, the job's records, requests and status classes (its window plus its late records) equal the lake's.
 */
import * as path from 'node:path';
import { BURST_LINES, BURST_MINUTE, BURST_PATH } from '../realtime/burst';
import { REALTIME_TOPICS, FLINK_GROUP_ID } from '../../contracts/realtime';
import { createTopic, endOffsets } from '../kafka/admin';
import {
  buildFlinkJar,
  compareMinutes,
  jobMinutes,
  kafkaLakeRecords,
  lakeMinutes,
  minuteTable,
  readTopic,
  runBoundedJob,
  type JobRow,
} from '../realtime/job';
import type { LocalStep, StepResult } from './step';

export const realtimeStep: LocalStep = {
  name: 'realtime',
  async run(context): Promise<StepResult> {
    const { s3, lakeBucket, kafka } = context;
    if (!s3 || !lakeBucket || !kafka) throw new Error('the realtime step needs the kafka step before it (broker and lake)');
    const started = Date.now();
    context.log('building the Flink job (scripts/flink-jar.sh, through ./mvnw)');
    const classpathFile = await buildFlinkJar(context.log);

    const records = await kafkaLakeRecords(s3, lakeBucket);
    const published = [...(await endOffsets(kafka.bootstrap, REALTIME_TOPICS.records, kafka.describe())).values()].reduce(
      (a, b) => a + b,
      0,
    );
    await createTopic(kafka.bootstrap, REALTIME_TOPICS.output, 1, kafka.describe());
    context.log(`${published} records on ${REALTIME_TOPICS.records}, published by the consumer Lambda in the kafka step`);

    const logFile = path.join(context.workDir, 'flink-job.log');
    context.log(`running the job on a local MiniCluster, bounded (log: ${path.relative(process.cwd(), logFile)})`);
    const run = await runBoundedJob({
      classpathFile,
      bootstrap: kafka.bootstrap,
      recordsTopic: REALTIME_TOPICS.records,
      outputTopic: REALTIME_TOPICS.output,
      groupId: FLINK_GROUP_ID,
      logFile,
      timeoutMs: 5 * 60_000,
    });
    const rows = (await readTopic(kafka.bootstrap, REALTIME_TOPICS.output, kafka.describe())).map((v) => JSON.parse(v) as JobRow);

    const failures = compareMinutes(jobMinutes(rows), lakeMinutes(records));
    // The planted burst is in the generator's lines only (local/line-source.ts); the user's own logs have none.
    if (context.options.logs === undefined) {
      const burstMinute = BURST_MINUTE.toISOString();
      const burstRoute = rows.find(
        (r) => r.kind === 'window' && r.dimension === 'route' && r.key === '/api' && r.window_start === burstMinute,
      );
      const burstPath = Array.isArray(burstRoute?.top_paths_by_5xx)
        ? (burstRoute.top_paths_by_5xx as { path: string; status_5xx: number }[]).find((p) => p.path === BURST_PATH)
        : undefined;
      if (!burstPath || burstPath.status_5xx < BURST_LINES) {
        failures.push(
          `the burst of ${BURST_LINES} 503s on ${BURST_PATH} in ${burstMinute} is not in the job's /api window (found ${burstPath ? burstPath.status_5xx : 'no such path'})`,
        );
      }
      if (!rows.some((r) => r.kind === 'burst' && r.window_start === burstMinute))
        failures.push(`no error burst row for the minute ${burstMinute} the burst was written in`);
    }
    const late = rows.filter((r) => r.kind === 'late').length;
    const invalid = rows.filter((r) => r.kind === 'invalid').length;
    const windows = rows.filter((r) => r.kind === 'window').length;
    return {
      report: [
        `job                 analytics/flink on a local MiniCluster, bounded, exactly-once sink: ${(run.ms / 1000).toFixed(1)} s`,
        `records in          ${published} on ${REALTIME_TOPICS.records}, published by the consumer (the lake has ${records.length})`,
        `rows out            ${windows} windows, ${rows.filter((r) => r.kind === 'burst').length} error bursts, ${late} late, ${invalid} invalid → ${REALTIME_TOPICS.output}`,
        ...minuteTable(rows).map((l) => `  ${l}`),
        `lake check          ${failures.length === 0 ? 'every minute equals the lake (records, requests, 2xx-5xx; windows + late)' : `${failures.length} problems`}`,
        `time                ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ],
      failures,
    };
  },
};
