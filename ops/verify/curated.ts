/**
 * The pure part of `npm run verify --curated`: the Athena SQL that looks for a run's markers in the curated
 * table, turning Athena's result set into rows, and what a Glue run's or an Athena query's state means.
 * No AWS calls (glue-athena.ts makes them); unit-tested in test/ops/verify-curated.test.ts, and the SQL is run
 * on local Spark over the local Glue job's Parquet in test/integration/verify-local.test.ts.
 */
import { RUNBOOK } from '../../lib/constructs/monitoring/runbook';
import { CURATED_PARTITION_KEYS, type CuratedHour } from '../../contracts/lake-layout';
import { VerifyError, type FoundRecord } from './markers';

/** Where the curated table is: the Analytics stack's outputs GlueDatabaseName, CuratedTableName, AthenaWorkGroupName. */
export interface CuratedTable {
  readonly database: string;
  readonly table: string;
  readonly workGroup: string;
}

/** The columns the query reads: enough to match a marker and check its partition and format. */
export const CURATED_QUERY_COLUMNS = ['event_id', 'source', 'dt', 'hour', 'format', 'message'] as const;

/**
 * A quoted identifier. Glue names are lower-case letters, digits, `_` (and `-` in generated names): anything
 * else (a double quote above all) is refused rather than escaped, so the name can never end the quoting.
 */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new Error(`not a Glue/Athena name: '${name}' (expected 1–255 of [A-Za-z0-9_-])`);
  return `"${name}"`;
}

/**
 * A string literal for a value built by verify itself (a run id, a date). The characters are restricted to
 * ones that need no escaping in Athena (Trino) or Spark SQL — no quote, no backslash — so the same text means
 * the same thing in both engines; anything else is refused.
 */
export function sqlString(value: string): string {
  if (!/^[A-Za-z0-9 =._:%-]{0,200}$/.test(value))
    throw new Error(`refusing to put '${value}' into SQL: only [A-Za-z0-9 =._:%-] are allowed`);
  return `'${value}'`;
}

/**
 * The query for a verify run's markers in the curated table: only the (dt, hour) partitions the markers can be in
 * (their event time is when they were written, so the scan is those hours' partitions: lake-layout.curatedHours
 * from the writing to now), only rows whose message starts with the run's marker prefix.
 */
export function curatedMarkerQuery(target: Pick<CuratedTable, 'database' | 'table'>, runId: string, hours: readonly CuratedHour[]): string {
  if (!/^[0-9a-z-]{6,40}$/.test(runId)) throw new Error(`marker run id must be 6–40 characters of [0-9a-z-] (got '${runId}')`);
  if (hours.length === 0) throw new Error('no curated hour partition to query');
  const byDay = new Map<string, string[]>();
  for (const { dt, hour } of hours) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dt) || !/^([01]\d|2[0-3])$/.test(hour))
      throw new Error(`not a curated hour partition: dt '${dt}', hour '${hour}'`);
    byDay.set(dt, [...(byDay.get(dt) ?? []), hour]);
  }
  const partitions = [...byDay].map(([dt, dayHours]) => `("dt" = ${sqlString(dt)} AND "hour" IN (${dayHours.map(sqlString).join(', ')}))`);
  // '_' and '%' are LIKE wildcards: the prefix has none (run ids are [0-9a-z-]).
  const prefix = `log-pipeline-verify run=${runId} path=%`;
  return [
    `SELECT ${CURATED_QUERY_COLUMNS.map(sqlIdentifier).join(', ')}`,
    `FROM ${sqlIdentifier(target.database)}.${sqlIdentifier(target.table)}`,
    `WHERE (${partitions.join(' OR ')}) AND "message" LIKE ${sqlString(prefix)}`,
    'ORDER BY "source", "message"',
  ].join('\n');
}

/** Athena's GetQueryResults ResultSet, as far as it is read here (the SDK's type is structurally this). */
export interface AthenaResultSet {
  readonly Rows?: readonly { readonly Data?: readonly { readonly VarCharValue?: string }[] }[];
  readonly ResultSetMetadata?: { readonly ColumnInfo?: readonly { readonly Name?: string }[] };
}

/**
 * Rows of a SELECT's result pages as objects keyed by column name (NULL → absent). Athena repeats the column
 * names as the first row of the first page; `firstPage` says whether to expect it.
 */
export function athenaRows(resultSet: AthenaResultSet, firstPage: boolean): Record<string, string>[] {
  const names = (resultSet.ResultSetMetadata?.ColumnInfo ?? []).map((c, i) => c.Name ?? `_col${i}`);
  const values = (resultSet.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue));
  const isHeader = (row: readonly (string | undefined)[]) => row.length === names.length && row.every((v, i) => v === names[i]);
  const data = firstPage && values.length > 0 && isHeader(values[0]) ? values.slice(1) : values;
  return data.map((row) => {
    if (row.length !== names.length) throw new Error(`an Athena result row has ${row.length} values for ${names.length} columns`);
    return Object.fromEntries(names.flatMap((name, i) => (row[i] === undefined ? [] : [[name, row[i]!]])));
  });
}

/** Curated rows as records for matchCuratedMarkers, each named by its partition (curated/dt=…/hour=…/source=…/). */
export function curatedRecords(rows: readonly Record<string, string>[], landedAtMs?: number): FoundRecord[] {
  return rows.map((record) => ({
    key: `curated/${CURATED_PARTITION_KEYS.map((key) => `${key}=${record[key] ?? '?'}/`).join('')}`,
    record,
    landedAtMs,
  }));
}

/** A Glue job run as GetJobRun returns it (the fields read here). */
export interface GlueRunState {
  readonly Id?: string;
  readonly JobRunState?: string;
  readonly ErrorMessage?: string;
  readonly ExecutionTime?: number;
}

/** Glue's terminal states that mean the run did not curate: the bookmark did not advance. */
const GLUE_FAILED_STATES = ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'EXPIRED'];

/** Whether a Glue run is done; throws VerifyError naming the job, its error and the runbook when it failed. */
export function glueRunDone(jobName: string, run: GlueRunState): boolean {
  const state = run.JobRunState ?? 'STARTING';
  if (state === 'SUCCEEDED') return true;
  if (GLUE_FAILED_STATES.includes(state)) {
    throw new VerifyError(
      `the Glue job ${jobName} run ${run.Id ?? '?'} ended ${state}: ${run.ErrorMessage ?? '(no error message)'}. ` +
        `Runbook (docs/operations.md, Alarms: '${RUNBOOK.glueJobFailed.title}'): ${RUNBOOK.glueJobFailed.todo}`,
    );
  }
  return false;
}

/** An Athena query execution as GetQueryExecution returns it (the fields read here). */
export interface AthenaQueryState {
  readonly QueryExecutionId?: string;
  readonly Status?: {
    readonly State?: string;
    readonly StateChangeReason?: string;
    readonly AthenaError?: { readonly ErrorMessage?: string };
  };
  readonly Statistics?: { readonly DataScannedInBytes?: number; readonly TotalExecutionTimeInMillis?: number };
}

/** Whether an Athena query is done; throws VerifyError with its StateChangeReason when it FAILED or was CANCELLED. */
export function athenaQueryDone(query: AthenaQueryState): boolean {
  const state = query.Status?.State ?? 'QUEUED';
  if (state === 'SUCCEEDED') return true;
  if (state === 'FAILED' || state === 'CANCELLED') {
    const reason = query.Status?.StateChangeReason ?? query.Status?.AthenaError?.ErrorMessage ?? '(no reason given)';
    throw new VerifyError(`the Athena query ${query.QueryExecutionId ?? '?'} over the curated table ended ${state}: ${reason}`);
  }
  return false;
}
