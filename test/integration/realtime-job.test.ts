/**
 * The stream analytics job (analytics/flink) end to end on real software: its shaded jar and main() on a local
 * MiniCluster, its Kafka source (bounded: up to the offsets at start, so every window fires) and its exactly-once
 * Kafka sink against a real Apache Kafka broker; the rows read back read_committed. One partition, so which
 * records are late follows from their order alone and every count is exact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_BUILD_DIR } from '../../local/bundle';
import { createTopic } from '../../local/kafka/admin';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafka/broker';
import {
  buildFlinkJar,
  compareMinutes,
  jobMinutes,
  lakeMinutes,
  publishRecords,
  readTopic,
  runBoundedJob,
  type JobRow,
  type LakeRecord,
} from '../../local/realtime/job';

const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-realtime');
let broker: KafkaBroker;
let classpathFile: string;

beforeAll(async () => {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  classpathFile = await buildFlinkJar(() => undefined);
  broker = await startKafkaBroker({ dir: path.join(WORK_DIR, 'broker'), name: 'integration-test Kafka broker' });
});

afterAll(async () => {
  await broker?.stop();
});

let n = 0;
function access(time: string, path: string, status: number, host = 'web-1'): LakeRecord {
  n++;
  return {
    partition: 0,
    record: {
      event_id: n.toString(16).padStart(32, '0'),
      source: 'kafka',
      format: 'json',
      timestamp: `${time}Z`,
      ingested_at: `${time}Z`,
      host,
      app: 'shop',
      path,
      status,
      bytes: 100 * n,
    },
  };
}

test('out-of-order records within the bound count in their window, late ones are rows of their own, and a 5xx burst fires once in its window', async () => {
  // The job's default bound is 10 s.
  const records: LakeRecord[] = [
    access('2026-03-01T10:00:10.000', '/api/a', 200),
    access('2026-03-01T10:00:50.000', '/api/a', 200),
    access('2026-03-01T10:01:05.000', '/api/a', 200), // watermark 10:00:54.999
    access('2026-03-01T10:00:55.000', '/api/a', 500), // out of order by 10 s: counts in 10:00
    access('2026-03-01T10:01:20.000', '/api/a', 200), // watermark 10:01:09.999: 10:00 fires
    access('2026-03-01T10:00:58.000', '/api/a', 500), // late
  ];
  // A burst on web-2 in 10:02: 30 of 40 requests are 503s (thresholds: 20 and 20%).
  for (let i = 0; i < 40; i++)
    records.push(
      access(
        `2026-03-01T10:02:${String(10 + Math.floor(i / 4)).padStart(2, '0')}.${String(i * 10).padStart(3, '0')}`,
        '/checkout/pay',
        i < 30 ? 503 : 200,
        'web-2',
      ),
    );
  const topics = { records: 'records-ooo', output: 'analytics-ooo' };
  await createTopic(broker.bootstrap, topics.records, 1, broker.describe());
  await createTopic(broker.bootstrap, topics.output, 1, broker.describe());
  await publishRecords(broker.bootstrap, topics.records, records, broker.describe());

  await runBoundedJob({
    classpathFile,
    bootstrap: broker.bootstrap,
    recordsTopic: topics.records,
    outputTopic: topics.output,
    groupId: 'it-ooo',
    logFile: path.join(WORK_DIR, 'flink-ooo.log'),
    timeoutMs: 4 * 60_000,
  });
  const rows = (await readTopic(broker.bootstrap, topics.output, broker.describe())).map((v) => JSON.parse(v) as JobRow);

  const overall = (minute: string) =>
    rows.find((r) => r.kind === 'window' && r.dimension === 'overall' && r.window_start === `2026-03-01T10:${minute}:00.000Z`);
  expect(overall('00')).toMatchObject({ window_end: '2026-03-01T10:01:00.000Z', records: 3, requests: 3, status_2xx: 2, status_5xx: 1 });
  expect(overall('01')).toMatchObject({ records: 2, status_2xx: 2 });
  expect(overall('02')).toMatchObject({ records: 40, status_5xx: 30, share_5xx: 0.75 });
  const late = rows.filter((r) => r.kind === 'late');
  expect(late).toEqual([
    expect.objectContaining({
      window_start: '2026-03-01T10:00:00.000Z',
      timestamp: '2026-03-01T10:00:58.000Z',
      watermark: '2026-03-01T10:01:09.999Z',
      status: 500,
    }),
  ]);
  expect(rows.filter((r) => r.kind === 'burst')).toEqual([
    expect.objectContaining({
      key: 'web-2',
      window_start: '2026-03-01T10:02:00.000Z',
      status_5xx: 30,
      requests: 40,
      quiet_until: '2026-03-01T10:08:00.000Z',
    }),
  ]);
  const route = rows.find(
    (r) => r.kind === 'window' && r.dimension === 'route' && r.key === '/checkout' && r.window_start === '2026-03-01T10:02:00.000Z',
  );
  expect(route?.top_paths_by_5xx).toEqual([{ path: '/checkout/pay', status_5xx: 30 }]);
  // Exactly once: each window row once (the sink's transactions, read read_committed), and windows + late = input.
  const windowKeys = rows.filter((r) => r.kind === 'window').map((r) => `${r.window_start} ${r.dimension} ${r.key}`);
  expect(new Set(windowKeys).size).toBe(windowKeys.length);
  expect(compareMinutes(jobMinutes(rows), lakeMinutes(records))).toEqual([]);
});
