/**
 * The summary's samples: a few raw records of each format as they landed, taken from each path in turn, and
 * the Glue step's failure line: the Python exception and the log file, not a stack tail.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { glueFailure } from '../../local/steps/glue';
import { sampleRecords } from '../../local/steps/samples';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samples-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function object(key: string, records: readonly Record<string, unknown>[]): void {
  const file = path.join(dir, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, gzipSync(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
}

test('up to N records per format, one from each path first, as they are in the objects', () => {
  const kinesis = Array.from({ length: 5 }, (_, i) => ({
    event_id: `k${i}`,
    source: 'kinesis',
    format: i < 4 ? 'json' : 'unparsed',
    raw: i === 4 ? 'x' : undefined,
  }));
  const kafka = Array.from({ length: 3 }, (_, i) => ({ event_id: `f${i}`, source: 'kafka', format: 'json', message: 'hé' }));
  object('source=kinesis/dt=2026-01-01/a.gz', kinesis.slice(0, 2));
  object('source=kinesis/dt=2026-01-02/b.gz', kinesis.slice(2));
  object('source=kafka/dt=2026-01-01/c.gz', kafka);
  const samples = sampleRecords(dir, 3);
  expect(samples.json.map((r) => r.event_id)).toEqual(['f0', 'k0', 'f1']);
  expect(samples.unparsed).toEqual([JSON.parse(JSON.stringify(kinesis[4]))]);
  expect(Object.keys(samples).sort()).toEqual(['json', 'unparsed']);
});

test("a failed Glue run is reported by its exception's type and message, with the log to open", () => {
  const log = path.join(process.cwd(), '.local', 'glue.log');
  expect(
    glueFailure(1, '{"error_type": "Py4JJavaError (org.apache.spark.SparkException)", "error": "Job aborted due to stage failure"}', log),
  ).toBe(
    "the Glue job's batch failed with Py4JJavaError (org.apache.spark.SparkException): Job aborted due to stage failure (Spark's full output: .local/glue.log)",
  );
  expect(glueFailure('SIGKILL', '\tat org.apache.spark.rdd.RDD.iterator(RDD.scala:329)', log)).toBe(
    "glue/local/run_local.py ended (exit SIGKILL) without saying why (Spark's full output: .local/glue.log)",
  );
});
