/**
 * Runs the Glue job's batch (glue/log_etl, the code the deployed job runs) on local Spark over the raw
 * objects both paths landed (raw/source=kinesis and raw/source=kafka): copies raw/ from the emulated
 * bucket into .local/lake/ with the same keys, runs glue/run_local.py, and checks that every raw line is
 * accounted for as a curated row, a quarantined row or a dropped duplicate; reports both per source.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { LAKE_PREFIXES } from '../../lib/lake-layout';
import { getBytes, listKeys } from '../lake-inventory';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalStep, StepResult } from './step';

/** What glue/run_local.py prints as its last line. */
interface GlueLocalResult {
  readonly raw_objects: number;
  readonly raw_objects_by_source: Readonly<Record<string, number>>;
  readonly raw_lines: number;
  readonly curated_rows: number;
  readonly quarantined_rows: number;
  readonly duplicates_dropped: number;
  readonly curated_rows_by_source: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly curated: string;
}

export const glueStep: LocalStep = {
  name: 'glue',
  async run(context) {
    const { s3, lakeBucket } = context;
    if (!s3 || !lakeBucket) return { report: [], failures: ['no lake bucket: the kinesis step did not run'] };
    return runGlueLocally({ s3, bucket: lakeBucket, workDir: context.workDir, log: (message) => context.log(message) });
  },
};

export interface LocalGlueRun extends StepResult {
  /** The lake directory: raw/ as copied from the bucket, curated/ and quarantine/ as the batch wrote them. */
  readonly lakeDir: string;
}

/**
 * Copies raw/ of `bucket` into <workDir>/lake/ (replacing what was there) and runs the Glue job's batch on it
 * (glue/run_local.py); also used by the verify integration test as the Glue run moto does not perform.
 */
export async function runGlueLocally(options: { readonly s3: S3Client; readonly bucket: string; readonly workDir: string; readonly log: (message: string) => void }): Promise<LocalGlueRun> {
  const { s3, bucket: lakeBucket } = options;
  const lakeDir = path.join(options.workDir, 'lake');
  fs.rmSync(lakeDir, { recursive: true, force: true });
  const keys = (await listKeys(s3, lakeBucket)).filter((key) => key.startsWith(LAKE_PREFIXES.raw));
  for (const key of keys) {
    const file = path.join(lakeDir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await getBytes(s3, lakeBucket, key));
  }
  options.log(`copied ${keys.length} raw objects to ${path.relative(process.cwd(), lakeDir)}; running the Glue job's batch on local Spark`);

  const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
  const run = spawnSync(python, [path.join(PROJECT_ROOT, 'glue', 'run_local.py'), '--lake', lakeDir], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0) {
    return { lakeDir, report: [], failures: [`glue/run_local.py failed (exit ${run.status ?? run.signal}): ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`] };
  }
  const result = JSON.parse(lastLine) as GlueLocalResult;
  const accounted = result.curated_rows + result.quarantined_rows + result.duplicates_dropped;
  const failures =
    accounted === result.raw_lines
      ? []
      : [`raw lines ${result.raw_lines} != curated ${result.curated_rows} + quarantined ${result.quarantined_rows} + duplicates ${result.duplicates_dropped}`];
  return {
    lakeDir,
    report: [
      `raw lines           ${result.raw_lines.toLocaleString('en-US')} in ${result.raw_objects} objects (${bySource(result.raw_objects_by_source)})`,
      `curated rows        ${result.curated_rows.toLocaleString('en-US')} (${bySource(result.curated_rows_by_source)}; Parquet under ${path.relative(process.cwd(), result.curated)})`,
      `quarantined rows    ${result.quarantined_rows.toLocaleString('en-US')}, duplicates dropped ${result.duplicates_dropped.toLocaleString('en-US')}`,
      `spark time          ${result.seconds} s`,
    ],
    failures,
  };
}

/** "kafka 31, kinesis 1" */
function bySource(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).sort().map(([source, n]) => `${source} ${n.toLocaleString('en-US')}`).join(', ') || 'none';
}
