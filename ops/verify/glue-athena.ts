/**
 * The AWS calls of `npm run verify --curated`: start the stage's Glue job and wait for the run, run the Athena
 * query and read its result pages, read the run's quarantine. What the answers mean is decided in curated.ts
 * and markers.ts; these functions run unchanged against moto in test/integration/verify-local.test.ts.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { GetJobRunCommand, StartJobRunCommand, type GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { curatedHours, LAKE_PREFIXES } from '../../contracts/lake-layout';
import { explainAwsError } from './aws-errors';
import {
  athenaQueryDone,
  athenaRows,
  curatedMarkerQuery,
  curatedRecords,
  glueRunDone,
  type AthenaQueryState,
  type CuratedTable,
  type GlueRunState,
} from './curated';
import { dtPartitions, readRecordsUnder } from './lake';
import {
  judgeCurated,
  markerOf,
  matchCuratedMarkers,
  VerifyError,
  waitUntil,
  type CuratedEvidence,
  type FoundRecord,
  type Marker,
  type PathVerdict,
  type VerifyPath,
  type WaitOptions,
} from './markers';

export interface GlueRunResult {
  readonly id: string;
  /** The last state seen: SUCCEEDED when done, else where the run was when the wait ended. */
  readonly state: string;
  readonly done: boolean;
  readonly startedAtMs: number;
  /** Seconds Glue reports the run took (ExecutionTime), when done. */
  readonly executionSeconds?: number;
}

/** Starts a run of `jobName` and waits for it; a run that fails, times out or is stopped throws VerifyError (curated.ts). */
export async function runGlueJob(
  glue: GlueClient,
  jobName: string,
  wait: WaitOptions,
  onStarted?: (run: { readonly id: string; readonly startedAtMs: number }) => Promise<void>,
): Promise<GlueRunResult> {
  const startedAtMs = Date.now();
  let id: string;
  try {
    ({ JobRunId: id = '' } = await glue.send(new StartJobRunCommand({ JobName: jobName })));
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'EntityNotFoundException') {
      throw new VerifyError(
        `the Glue job ${jobName} does not exist in this account and region: is the stage's Analytics stack deployed (npm run deploy -- -c stage=...)? (${e.message})`,
      );
    }
    if (e.name === 'ConcurrentRunsExceededException') {
      throw new VerifyError(
        `the Glue job ${jobName} is already running (a scheduled run?): wait for it to end (aws glue get-job-runs --job-name ${jobName}), then run verify --curated again`,
      );
    }
    throw explainAwsError(err, `starting the Glue job ${jobName}`);
  }
  if (!id) throw new VerifyError(`StartJobRun of ${jobName} returned no run id`);
  await onStarted?.({ id, startedAtMs });
  const result = await waitUntil<GlueRunState>(
    `Glue run ${id}`,
    async () => {
      const { JobRun: run = {} } = await glue.send(new GetJobRunCommand({ JobName: jobName, RunId: id })).catch((err: unknown) => {
        throw explainAwsError(err, `reading the Glue run ${id} of ${jobName}`);
      });
      return { done: glueRunDone(jobName, run), state: run, progress: run.JobRunState ?? 'STARTING' };
    },
    wait,
  );
  return {
    id,
    state: result.state.JobRunState ?? 'STARTING',
    done: result.done,
    startedAtMs,
    executionSeconds: result.done ? result.state.ExecutionTime : undefined,
  };
}

export interface AthenaQueryResult {
  readonly id: string;
  readonly done: boolean;
  /** The rows, keyed by column name; empty unless done. */
  readonly rows: Record<string, string>[];
  readonly scannedBytes?: number;
}

/** Runs `sql` in the curated table's workgroup and database, waits for it, and reads every result page. */
export async function runAthenaQuery(
  athena: AthenaClient,
  sql: string,
  target: CuratedTable,
  wait: WaitOptions,
): Promise<AthenaQueryResult> {
  const doing = `querying the curated table ${target.database}.${target.table} in the Athena workgroup ${target.workGroup}`;
  const { QueryExecutionId: id } = await athena
    .send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: target.workGroup,
        QueryExecutionContext: { Database: target.database },
      }),
    )
    .catch((err: unknown) => {
      throw explainAwsError(err, doing);
    });
  if (!id) throw new VerifyError(`StartQueryExecution returned no query id while ${doing}`);
  const result = await waitUntil<AthenaQueryState>(
    `Athena query ${id}`,
    async () => {
      const { QueryExecution: query = {} } = await athena
        .send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
        .catch((err: unknown) => {
          throw explainAwsError(err, doing);
        });
      return { done: athenaQueryDone(query), state: query, progress: query.Status?.State ?? 'QUEUED' };
    },
    wait,
  );
  if (!result.done) return { id, done: false, rows: [] };
  const rows: Record<string, string>[] = [];
  let token: string | undefined;
  let firstPage = true;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token })).catch((err: unknown) => {
      throw explainAwsError(err, `reading the results of the Athena query ${id}`);
    });
    rows.push(...athenaRows(page.ResultSet ?? {}, firstPage));
    firstPage = false;
    token = page.NextToken;
  } while (token !== undefined);
  return { id, done: true, rows, scannedBytes: result.state.Statistics?.DataScannedInBytes };
}

/** Where a Glue run keeps the lines it quarantined on a day (glue/log_etl_job.py). */
export function quarantinePrefix(runId: string, day: string): string {
  return `${LAKE_PREFIXES.quarantine}dt=${day}/run=${runId}/`;
}

/** The marker lines (carrying `needle`) the Glue run quarantined, over the days it ran. */
export async function readQuarantined(
  s3: S3Client,
  bucket: string,
  run: Pick<GlueRunResult, 'id' | 'startedAtMs'>,
  needle: string,
): Promise<FoundRecord[]> {
  const found: FoundRecord[] = [];
  for (const day of dtPartitions(run.startedAtMs, Date.now())) {
    const read = await readRecordsUnder(s3, bucket, quarantinePrefix(run.id, day), needle).catch((err: unknown) => {
      throw explainAwsError(err, `reading s3://${bucket}/${quarantinePrefix(run.id, day)}`);
    });
    found.push(...read.records);
  }
  return found;
}

export interface CuratedCheck {
  readonly glue: GlueClient;
  readonly athena: AthenaClient;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly jobName: string;
  readonly table: CuratedTable;
  readonly runId: string;
  readonly markersByPath: ReadonlyMap<VerifyPath, readonly Marker[]>;
  /** Each path's raw verdict: only paths whose markers all reached raw/ are looked for in the curated table. */
  readonly rawVerdicts: readonly PathVerdict[];
  /** When the markers were written (ms). */
  readonly writtenAtMs: number;
  /** For the Glue run and the query together. */
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly onProgress?: (message: string) => void;
  /** Called once the run has started (locally, the Glue job's batch runs here: moto's job runs run nothing). */
  readonly onGlueRunStarted?: (run: { readonly id: string; readonly startedAtMs: number }) => Promise<void>;
}

/**
 * The curated half of verify: when any path's markers reached raw/, one Glue run, then one Athena query for
 * the run's markers and a read of the run's quarantine; a verdict per path (judgeCurated).
 */
export async function checkCurated(check: CuratedCheck): Promise<PathVerdict[]> {
  const verdict = (raw: PathVerdict, rest: Partial<CuratedEvidence>) =>
    judgeCurated({ raw, expected: check.markersByPath.get(raw.path)?.length ?? 0, quarantined: 0, ...rest });
  if (!check.rawVerdicts.some((v) => v.ok)) return check.rawVerdicts.map((raw) => verdict(raw, {}));

  const deadline = Date.now() + check.timeoutMs;
  const wait = { intervalMs: check.intervalMs, onProgress: check.onProgress };
  const run = await runGlueJob(check.glue, check.jobName, { ...wait, timeoutMs: check.timeoutMs }, check.onGlueRunStarted);
  const glueRun = { id: run.id, state: run.state };
  if (!run.done) return check.rawVerdicts.map((raw) => verdict(raw, { glueRun }));

  const needle = `run=${check.runId}`;
  const quarantined = await readQuarantined(check.s3, check.bucket, run, needle);
  const sql = curatedMarkerQuery(check.table, check.runId, curatedHours(check.writtenAtMs, Date.now()));
  // The query gets what is left of the timeout, and at least a minute: a run that took it all still gets its answer.
  const query = await runAthenaQuery(check.athena, sql, check.table, { ...wait, timeoutMs: Math.max(60_000, deadline - Date.now()) });
  const answeredAtMs = Date.now();
  const rows = curatedRecords(query.rows, answeredAtMs);
  check.onProgress?.(
    `Athena query ${query.id}: ${query.done ? `${query.rows.length} marker row(s), ${query.scannedBytes ?? 0} bytes scanned` : 'did not finish'}`,
  );
  return check.rawVerdicts.map((raw) => {
    const markers = check.markersByPath.get(raw.path) ?? [];
    return verdict(raw, {
      glueRun,
      matches: query.done ? matchCuratedMarkers(markers, rows) : undefined,
      quarantined: quarantined.filter((f) => markerOf(f.record)?.path === raw.path).length,
      quarantinePrefix: quarantinePrefix(run.id, new Date(run.startedAtMs).toISOString().slice(0, 10)),
      elapsedMs: answeredAtMs - check.writtenAtMs,
    });
  });
}
