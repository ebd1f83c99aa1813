/**
 * Athena's SQL on local Spark (glue/local/athena_local.py, one Spark session answering one query per line): the
 * engine of the verify integration test (test/integration/helpers/athena-on-spark.ts puts it behind moto's
 * Athena API) and of `npm run query` over the last local run's tables.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { PROJECT_ROOT } from '../lib/project-paths';

export interface SparkAnswer {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface SparkAthena {
  query(sql: string): Promise<SparkAnswer>;
  stop(): Promise<void>;
}

export interface SparkAthenaOptions {
  readonly curatedDir: string;
  readonly database: string;
  readonly table: string;
  /** The raw/ directory, as a second table named `rawTable`. @default none */
  readonly rawDir?: string;
  /** @default 'raw' */
  readonly rawTable?: string;
  /** Spark's output (stderr). */
  readonly logFile: string;
}

/** Starts glue/local/athena_local.py (one Spark session for every query) and waits until it is ready. */
export async function startSparkAthena(options: SparkAthenaOptions): Promise<SparkAthena> {
  const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
  const log = fs.openSync(options.logFile, 'w');
  const child: ChildProcessWithoutNullStreams = spawn(
    python,
    [
      path.join(PROJECT_ROOT, 'glue', 'local', 'athena_local.py'),
      ...['--curated', options.curatedDir, '--database', options.database, '--table', options.table],
      ...(options.rawDir === undefined ? [] : ['--raw', options.rawDir, '--raw-table', options.rawTable ?? 'raw']),
    ],
    { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stderr.on('data', (chunk: Buffer) => fs.writeSync(log, chunk));
  const lines = readline.createInterface({ input: child.stdout });
  const pending: Array<(line: string) => void> = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`glue/local/athena_local.py exited (${code ?? signal}); see ${options.logFile}`)),
  );
  const nextLine = () =>
    Promise.race([new Promise<string>((resolve) => pending.push(resolve)), exited.then((why) => Promise.reject(new Error(why)))]);
  const ready = JSON.parse(await nextLine()) as { ready?: boolean; error?: string };
  if (!ready.ready) throw new Error(`glue/local/athena_local.py did not start: ${ready.error ?? 'no ready line'}`);
  let queue = Promise.resolve();
  return {
    query(sql) {
      const answer = queue.then(async () => {
        const line = nextLine();
        child.stdin.write(`${JSON.stringify({ sql })}\n`);
        const reply = JSON.parse(await line) as SparkAnswer & { error?: string };
        if (reply.error !== undefined) throw new Error(reply.error);
        return reply;
      });
      queue = answer.then(
        () => undefined,
        () => undefined,
      );
      return answer;
    },
    async stop() {
      child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        exited,
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 10_000))),
      ]);
      clearTimeout(timer);
      if (done === undefined) {
        child.kill('SIGKILL');
        await exited;
      }
      fs.closeSync(log);
    },
  };
}
