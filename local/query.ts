/**
 * `npm run query -- "SQL"` (or a saved query's name): Athena's SQL over the last local run's tables, `raw`
 * (the raw JSON objects the run mirrored from the emulated bucket) and `curated` (the Glue job's Parquet), on
 * local Spark (glue/local/athena_local.py, the verify test's engine). Prints the result as a table.
 *
 *   npm run query -- [--dir DIR] "SELECT format, count(*) FROM curated GROUP BY format"
 *   npm run query -- top-paths
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { savedQueries } from '../lib/constructs/analytics/lake-catalog';
import { PROJECT_ROOT } from '../lib/project-paths';
import { answerHelp, renderHelp, type CommandHelp } from '../lib/cli/args';
import { showNodeVersionWarningOnce } from '../lib/cli/node-warnings';
import { describeHolder, lockHolder } from './run-lock';
import { startSparkAthena, type SparkAnswer } from './spark-sql';
import { displayPath } from './display-path';

/** The tables' names; their database is Spark's current one, so queries name them bare. */
export const LOCAL_DATABASE = 'default';
export const LOCAL_TABLES = { raw: 'raw', curated: 'curated' } as const;

/** The workgroup's saved queries (lib/constructs/analytics/lake-catalog.ts), over the local tables. */
export const LOCAL_SAVED_QUERIES = savedQueries(LOCAL_DATABASE, LOCAL_TABLES.curated, LOCAL_TABLES.raw);

export const QUERY_HELP: CommandHelp = {
  usage: 'npm run query -- [--dir DIR] "SQL" | <saved query>',
  summary:
    "Runs Athena's SQL on local Spark over the last `npm run local` run's tables: raw (the raw JSON, partitions\n" +
    "source and dt) and curated (the Glue job's Parquet). Prints a table. Saved queries, by name:\n" +
    LOCAL_SAVED_QUERIES.map((q) => `  ${q.name.padEnd(22)} ${q.description}`).join('\n'),
  options: [{ name: '--dir DIR', description: "the run's folder (default .local, as npm run local)" }],
};

export class QueryUsageError extends Error {}

export interface QueryRequest {
  readonly sql: string;
  /** The saved query's name, when one was asked for. */
  readonly saved: string | undefined;
  readonly dir: string;
}

export function parseQueryArgs(argv: readonly string[]): QueryRequest {
  let dir = path.join(PROJECT_ROOT, '.local');
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dir') {
      const value = argv[++i];
      if (value === undefined || value === '') throw new QueryUsageError('--dir needs a folder');
      dir = path.resolve(value);
    } else if (argv[i].startsWith('--')) throw new QueryUsageError(`unknown option '${argv[i]}'`);
    else words.push(argv[i]);
  }
  if (words.length === 0) throw new QueryUsageError('give a query: SQL in quotes, or a saved query name');
  if (words.length > 1) throw new QueryUsageError(`one query at a time; put the SQL in quotes (got ${words.length} arguments)`);
  const saved = LOCAL_SAVED_QUERIES.find((q) => q.name === words[0]);
  if (saved) return { sql: saved.sql, saved: saved.name, dir };
  if (!/\s/.test(words[0])) {
    throw new QueryUsageError(`'${words[0]}' is not a saved query (${LOCAL_SAVED_QUERIES.map((q) => q.name).join(', ')}) nor SQL`);
  }
  return { sql: words[0], saved: undefined, dir };
}

/** The rows as an aligned text table, NULL shown as NULL, with the row count under it. */
export function renderTable(answer: SparkAnswer): string {
  const cells = answer.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v.replace(/\n/g, '\\n'))));
  const widths = answer.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [
    line(answer.columns),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...cells.map(line),
    `(${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}

async function main(): Promise<number> {
  answerHelp(process.argv.slice(2), QUERY_HELP);
  showNodeVersionWarningOnce();
  let request: QueryRequest;
  try {
    request = parseQueryArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof QueryUsageError)) throw error;
    console.error(`npm run query: ${error.message}\n\n${renderHelp(QUERY_HELP)}`);
    return 2;
  }
  const lake = path.join(request.dir, 'lake');
  const shown = displayPath(lake);
  const holder = lockHolder(request.dir);
  // A run kept alive (--keep) has written its lake; one still running replaces it as it goes.
  if (holder && holder.phase !== 'kept') {
    console.error(`npm run query: ${describeHolder(holder, request.dir)} and replaces ${shown}/ as it goes; query when it has ended`);
    return 1;
  }
  const curatedDir = path.join(lake, 'curated');
  const rawDir = path.join(lake, 'raw');
  if (!fs.existsSync(curatedDir) || !fs.existsSync(rawDir)) {
    console.error(
      `npm run query: no local run's tables in ${shown}/ (raw/ and curated/): run npm run local${request.dir === path.join(PROJECT_ROOT, '.local') ? '' : ` -- --dir ${displayPath(request.dir)}`} first`,
    );
    return 1;
  }
  const logFile = path.join(request.dir, 'query.log');
  console.error(
    `query ${request.saved ?? ''}${request.saved ? ' ' : ''}on local Spark over ${shown}/ (raw, curated); Spark's output: ${displayPath(logFile)}`,
  );
  const engine = await startSparkAthena({
    curatedDir,
    rawDir,
    database: LOCAL_DATABASE,
    table: LOCAL_TABLES.curated,
    rawTable: LOCAL_TABLES.raw,
    logFile,
  });
  try {
    const answer = await engine.query(request.sql);
    console.log(renderTable(answer));
    if (answer.rows.length === 0 && /current_date/.test(request.sql)) {
      // The saved queries look at recent partitions; generated lines carry the generator's fixed dates.
      const range = await engine.query(`SELECT min(dt), max(dt) FROM ${LOCAL_TABLES.curated}`);
      const [from, to] = range.rows[0] ?? [null, null];
      console.log(
        `note: the query keeps only recent dt partitions (by event date); the run's curated data is dated ${from ?? '?'} to ${to ?? '?'}`,
      );
    }
    return 0;
  } catch (error) {
    console.error(`npm run query: Spark could not run the query: ${(error as Error).message}`);
    return 1;
  } finally {
    await engine.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
