/**
 * Runs the Glue job's batch (glue/log_etl, the code the deployed job runs) on local Spark over the raw
 * objects both paths landed (raw/source=kinesis and raw/source=kafka): copies raw/ from the emulated
 * bucket into .local/lake/ with the same keys, runs glue/local/run_local.py, and checks that every raw line is
 * accounted for as a curated row, a quarantined row or a dropped duplicate; reports both per source. The run
 * publishes its counts to moto's CloudWatch as the deployed job does, and the counts read back from there must
 * equal the rows in the curated and quarantine output: the dashboard and the quarantine alarm read those metrics.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { GLUE_RUN_METRICS } from '../../contracts/glue-run-metrics';
import { LAKE_PREFIXES } from '../../contracts/lake-layout';
import { getBytes, listKeys } from '../lake-inventory';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from '../moto';
import type { LocalStep, StepResult } from './step';
import { displayPath } from '../display-path';

/** What glue/local/run_local.py prints as its last line. */
interface GlueLocalResult {
  readonly raw_objects: number;
  readonly raw_objects_by_source: Readonly<Record<string, number>>;
  readonly raw_lines: number;
  readonly curated_rows: number;
  readonly quarantined_rows: number;
  readonly duplicates_dropped: number;
  readonly curated_rows_by_source: Readonly<Record<string, number>>;
  /** Rows in the curated Parquet and the quarantine output, counted from the files. */
  readonly curated_output_rows: number;
  readonly quarantine_output_rows: number;
  readonly metrics_published: boolean;
  readonly metrics_warning?: string;
  /** Each run metric summed as CloudWatch (moto) returns it, by metric name. */
  readonly metrics_read_back?: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly curated: string;
}

export const glueStep: LocalStep = {
  name: 'glue',
  async run(context) {
    const { s3, lakeBucket, moto } = context;
    if (!s3 || !lakeBucket || !moto)
      return { report: [], failures: ['no lake bucket or emulator: the moto and kinesis steps did not run'] };
    const customFormats = (context.options.formats ?? []).map((f) => f.name);
    return runGlueLocally({
      s3,
      bucket: lakeBucket,
      moto,
      workDir: context.workDir,
      log: (message) => context.log(message),
      customFormats,
    });
  },
};

export interface LocalGlueRun extends StepResult {
  /** The lake directory: raw/ as copied from the bucket, curated/ and quarantine/ as the batch wrote them. */
  readonly lakeDir: string;
}

export interface LocalGlueOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The emulator the run publishes its counts to (CloudWatch) and reads them back from. */
  readonly moto: MotoServer;
  readonly workDir: string;
  readonly log: (message: string) => void;
  /** Custom format names the run accepts as `format` (the job's --custom_formats). @default none */
  readonly customFormats?: readonly string[];
  /** The JobName dimension of the run's metrics. @default LOCAL_JOB_NAME */
  readonly jobName?: string;
}

/**
 * Copies raw/ of `bucket` into <workDir>/lake/ (replacing what was there) and runs the Glue job's batch on it
 * (glue/local/run_local.py); also used by the verify integration test as the Glue run moto does not perform.
 */
export async function runGlueLocally(options: LocalGlueOptions): Promise<LocalGlueRun> {
  const { s3, bucket: lakeBucket, moto } = options;
  const jobName = options.jobName ?? LOCAL_JOB_NAME;
  const lakeDir = path.join(options.workDir, 'lake');
  fs.rmSync(lakeDir, { recursive: true, force: true });
  const keys = (await listKeys(s3, lakeBucket)).filter((key) => key.startsWith(LAKE_PREFIXES.raw));
  options.log(
    `copying ${keys.length} raw objects from the emulated bucket to ${displayPath(lakeDir)}/raw/ (kept after the run for npm run query)`,
  );
  for (const key of keys) {
    const file = path.join(lakeDir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await getBytes(s3, lakeBucket, key));
  }
  options.log(
    `running the Glue job's batch on local Spark (about 30-60 s on two busy cores; Spark's output: ${displayPath(path.join(options.workDir, 'glue.log'))})`,
  );

  const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
  const script = path.join(PROJECT_ROOT, 'glue', 'local', 'run_local.py');
  // Spark's whole output goes to a file: a failure names the exception and points there, not at a stack tail.
  const logFile = path.join(options.workDir, 'glue.log');
  const run = await runToLog(
    python,
    [
      script,
      '--lake',
      lakeDir,
      '--cloudwatch-endpoint',
      moto.endpoint,
      '--job-name',
      jobName,
      '--custom-formats',
      JSON.stringify(options.customFormats ?? []),
    ],
    logFile,
    { ...process.env, ...moto.sdkEnvironment },
  );
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0) return { lakeDir, report: [], failures: [glueFailure(run.status, lastLine, logFile)] };
  const result = JSON.parse(lastLine) as GlueLocalResult;
  const accounted = result.curated_rows + result.quarantined_rows + result.duplicates_dropped;
  const failures =
    accounted === result.raw_lines
      ? []
      : [
          `raw lines ${result.raw_lines} != curated ${result.curated_rows} + quarantined ${result.quarantined_rows} + duplicates ${result.duplicates_dropped}`,
        ];
  failures.push(...runMetricProblems(result));
  return {
    lakeDir,
    report: [
      `raw lines           ${result.raw_lines.toLocaleString('en-US')} in ${result.raw_objects} objects (${bySource(result.raw_objects_by_source)})`,
      `curated rows        ${result.curated_rows.toLocaleString('en-US')} (${bySource(result.curated_rows_by_source)}; Parquet under ${displayPath(result.curated)})`,
      `quarantined rows    ${result.quarantined_rows.toLocaleString('en-US')}, duplicates dropped ${result.duplicates_dropped.toLocaleString('en-US')}`,
      `run metrics         ${result.metrics_published ? `published to CloudWatch (${GLUE_RUN_METRICS.namespace}, ${GLUE_RUN_METRICS.dimension}=${jobName}), read back equal to the output` : `not published: ${result.metrics_warning}`}`,
      `spark time          ${result.seconds} s (Spark's output: ${displayPath(logFile)})`,
    ],
    failures,
  };
}

/**
 * What a failed glue/local/run_local.py run says: the Python exception's type and message (its last stdout line, JSON)
 * and the file holding Spark's full output; without that line (killed, crashed), its exit and the file.
 */
export function glueFailure(status: number | string, lastLine: string, logFile: string): string {
  const where = `Spark's full output: ${displayPath(logFile)}`;
  let error: { error_type?: string; error?: string } = {};
  try {
    error = JSON.parse(lastLine) as typeof error;
  } catch {
    // not the JSON line: the run ended before it could write it
  }
  if (error.error_type !== undefined) return `the Glue job's batch failed with ${error.error_type}: ${error.error ?? ''} (${where})`;
  return `glue/local/run_local.py ended (exit ${status}) without saying why (${where})`;
}

/** Runs a command with stderr (and, once it ended, stdout) appended to `logFile`; resolves with stdout. */
function runToLog(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | string; stdout: string }> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', log] });
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => {
      fs.closeSync(log);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(chunks).toString('utf8');
      fs.writeSync(log, `--- stdout ---\n${stdout}`);
      fs.closeSync(log);
      resolve({ status: code ?? signal ?? 'unknown', stdout });
    });
  });
}

/** JobName of the local run's metrics (the deployed job's is its generated Glue name). */
const LOCAL_JOB_NAME = 'log-etl-local';

/**
 * What is wrong with the run's published counts: each must be in CloudWatch and equal what the output holds
 * (curated and quarantined rows counted from the files; lines read and duplicates as the run counted them).
 */
export function runMetricProblems(
  result: Pick<
    GlueLocalResult,
    | 'raw_lines'
    | 'duplicates_dropped'
    | 'curated_output_rows'
    | 'quarantine_output_rows'
    | 'metrics_published'
    | 'metrics_warning'
    | 'metrics_read_back'
  >,
): string[] {
  if (!result.metrics_published)
    return [`the run's counts were not published to CloudWatch: ${result.metrics_warning ?? 'no reason given'}`];
  const expected: Record<keyof typeof GLUE_RUN_METRICS.metrics, number> = {
    raw_lines: result.raw_lines,
    curated_rows: result.curated_output_rows,
    quarantined_rows: result.quarantine_output_rows,
    duplicates_dropped: result.duplicates_dropped,
  };
  const readBack = result.metrics_read_back ?? {};
  return Object.entries(expected).flatMap(([count, want]) => {
    const name = GLUE_RUN_METRICS.metrics[count as keyof typeof expected];
    const got = readBack[name];
    if (got === undefined) return [`CloudWatch returned no ${GLUE_RUN_METRICS.namespace}/${name} for the run`];
    return got === want ? [] : [`CloudWatch has ${GLUE_RUN_METRICS.namespace}/${name} = ${got}, the output holds ${want}`];
  });
}

/** "kafka 31, kinesis 1" */
function bySource(counts: Readonly<Record<string, number>>): string {
  return (
    Object.entries(counts)
      .sort()
      .map(([source, n]) => `${source} ${n.toLocaleString('en-US')}`)
      .join(', ') || 'none'
  );
}
