/**
 * `npm run local`: the pipeline on this machine, on real software (moto for AWS, a real Kafka broker, the
 * bundled Lambdas, local Spark). Runs both paths — Kinesis → Firehose transform and Kafka → consumer —
 * into one lake, then the Glue job over both, prints what landed per path, and exits non-zero when
 * anything was lost or broken.
 *
 *   npm run local -- [--logs PATH] [--lines N] [--seed N] [--lines-per-record N] [--shards N] [--overflow]
 *                    [--no-malformed] [--emulator-timeout S] [--kafka-batch-size N] [--kafka-window-ms N]
 *                    [--formats FILE] [--dir DIR] [--keep]
 *
 * The run keeps what it landed in <dir>/lake/ (raw/ mirrored from the emulated bucket, curated/ and
 * quarantine/ from Spark) for `npm run query`; one run at a time per folder (local/run-lock.ts).
 */
import * as path from 'node:path';
import { FormatsFileError, loadFormatsFile, type CustomFormatDefinition } from '../lib/constructs/custom-formats/custom-formats-config';
import { PROJECT_ROOT } from '../lib/project-paths';
import { answerHelp, renderHelp, type CommandHelp } from '../lib/cli/args';
import { showNodeVersionWarningOnce } from '../lib/cli/node-warnings';
import { KINESIS_AGGREGATED_RECORD_MAX_BYTES } from '../lib/constructs/log-host/agent-config';
import { buildCorpus, DEFAULT_LINES_PER_FLUSH } from './corpus';
import { KINESIS_RECORD_MAX_BYTES } from './kinesis/producer';
import { LogFilesError, resolveLogFiles, scanLogFiles } from './log-files';
import type { LogsInput } from './line-source';
import { acquireRunLock, RunLockError, type RunLock } from './run-lock';
import { samplesStep } from './steps/samples';
import { DEFAULT_EMULATOR_TIMEOUT_MS, EmulatorError, MotoStartError } from './moto';
import { glueStep } from './steps/glue';
import { javaStep } from './steps/java';
import { kafkaPathStep, LOCAL_KAFKA } from './steps/kafka-path';
import { kinesisPathStep } from './steps/kinesis-path';
import { motoStep } from './steps/moto';
import { pythonEnvStep } from './steps/python-env';
import { realtimeStep } from './steps/realtime';
import type { LocalContext, LocalRunOptions, LocalStep } from './steps/step';
import { displayPath } from './display-path';

/** Each step reads what earlier steps left in the context; Glue runs last, over what both paths landed. */
const STEPS: readonly LocalStep[] = [
  javaStep,
  pythonEnvStep,
  motoStep,
  kinesisPathStep,
  kafkaPathStep,
  realtimeStep,
  glueStep,
  samplesStep,
];

/** The default run folder, under the project (gitignored). */
const DEFAULT_DIR = '.local';

const DEFAULT_LINES = 5_000;
/** With --overflow: enough lines to fill a 6 MB first request with some left over… */
const DEFAULT_OVERFLOW_LINES = 20_000;
/** …packed several per record, so the request carries more log bytes than per-record metadata. */
const DEFAULT_OVERFLOW_LINES_PER_RECORD = 4;

const LOCAL_HELP: CommandHelp = {
  usage: 'npm run local -- [options]',
  summary:
    'The pipeline on this machine, on real software (moto for AWS, a real Kafka broker, the bundled Lambdas,\n' +
    'a local Flink MiniCluster, local Spark): both paths into one lake, the stream analytics job over the Kafka\n' +
    "path's records, then the Glue job over both. Exit 1 when anything was lost or broken.",
  options: [
    {
      name: '--logs PATH',
      description:
        "send your own log lines instead of generated ones: a file, a folder (every file under it) or a\nquoted glob ('logs/**/*.log'); streamed, bytes kept as they are",
    },
    {
      name: '--lines N',
      description: `lines to send, malformed ones included (default ${DEFAULT_LINES}; ${DEFAULT_OVERFLOW_LINES} with --overflow)`,
    },
    { name: '--seed N', description: 'generator seed (default 1)' },
    {
      name: '--lines-per-record N',
      description: `lines in each Kinesis record, for experiments (default: packed as the agent packs them,\neach flush of ${DEFAULT_LINES_PER_FLUSH} lines into records of up to 1 MiB; ${DEFAULT_OVERFLOW_LINES_PER_RECORD} with --overflow)`,
    },
    { name: '--shards N', description: "provisioned stream with N shards (default: the dev stage's stream capacity)" },
    { name: '--overflow', description: 'first transform call gets a full 6 MB request, so it must re-ingest what does not fit' },
    { name: '--no-malformed', description: 'send only well-formed generated lines' },
    {
      name: '--emulator-timeout S',
      description: `seconds each call to the emulator (moto) may take, retries included (default ${DEFAULT_EMULATOR_TIMEOUT_MS / 1000})`,
    },
    {
      name: '--kafka-batch-size N',
      description: `records per consumer invocation, 1-10000 (default ${LOCAL_KAFKA.batchSize}, the dev stage's)`,
    },
    {
      name: '--kafka-window-ms N',
      description: `how long the mapping gathers records for a batch (default ${LOCAL_KAFKA.batchingWindowMs}, the dev stage's)`,
    },
    {
      name: '--formats FILE',
      description:
        "custom line formats to try, a JSON file in the stage config's shape (examples/formats/);\n" +
        'checked as synth checks them, bundled into both Lambdas, accepted by the Glue run',
    },
    {
      name: '--dir DIR',
      description: `the run's folder: logs, broker data and the lake npm run query reads (default ${DEFAULT_DIR});\none run at a time per folder`,
    },
    {
      name: '--keep',
      description: 'leave moto and the Kafka broker running after the summary (until Ctrl-C) and\nprint how to look at them',
    },
  ],
};

class UsageError extends Error {}

interface ParsedLocalArgs {
  readonly options: Omit<LocalRunOptions, 'logs'>;
  /** --logs PATH, not yet resolved to files. */
  readonly logsSpec: string | undefined;
  readonly dir: string;
}

function parseArgs(argv: readonly string[]): ParsedLocalArgs {
  let lines: number | undefined;
  let seed = 1;
  let linesPerRecord: number | undefined;
  let shards = 0;
  let overflow = false;
  let malformed = true;
  let emulatorTimeoutSeconds = DEFAULT_EMULATOR_TIMEOUT_MS / 1000;
  let keep = false;
  let kafkaBatchSize: number = LOCAL_KAFKA.batchSize;
  let kafkaBatchingWindowMs: number = LOCAL_KAFKA.batchingWindowMs;
  let formats: readonly CustomFormatDefinition[] = [];
  let logsSpec: string | undefined;
  let dir = path.join(PROJECT_ROOT, DEFAULT_DIR);
  const stringValue = (arg: string, raw: string | undefined): string => {
    if (raw === undefined || raw === '' || raw.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    return raw;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const integerValue = (min: number): number => {
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || !Number.isInteger(value) || value < min) {
        throw new UsageError(`${arg} needs an integer ≥ ${min}, got '${raw ?? ''}'`);
      }
      return value;
    };
    switch (arg) {
      case '--lines':
        lines = integerValue(1);
        break;
      case '--seed':
        seed = integerValue(0);
        break;
      case '--lines-per-record':
        linesPerRecord = integerValue(1);
        break;
      case '--shards':
        shards = integerValue(1);
        break;
      case '--overflow':
        overflow = true;
        break;
      case '--no-malformed':
        malformed = false;
        break;
      case '--emulator-timeout':
        emulatorTimeoutSeconds = integerValue(1);
        break;
      case '--keep':
        keep = true;
        break;
      case '--kafka-batch-size':
        kafkaBatchSize = integerValue(1);
        if (kafkaBatchSize > 10_000)
          throw new UsageError(`--kafka-batch-size is at most 10000 (the mapping's maximum), got ${kafkaBatchSize}`);
        break;
      case '--kafka-window-ms':
        kafkaBatchingWindowMs = integerValue(0);
        break;
      case '--formats':
        formats = formatsFrom(argv[++i]);
        break;
      case '--logs':
        logsSpec = stringValue(arg, argv[++i]);
        break;
      case '--dir':
        dir = path.resolve(stringValue(arg, argv[++i]));
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (logsSpec !== undefined && (lines !== undefined || !malformed)) {
    throw new UsageError('--lines and --no-malformed choose generated lines; with --logs, the files are sent as they are');
  }
  const options = {
    lines: lines ?? (overflow ? DEFAULT_OVERFLOW_LINES : DEFAULT_LINES),
    linesPerRecord: linesPerRecord ?? (overflow ? DEFAULT_OVERFLOW_LINES_PER_RECORD : undefined),
    seed,
    shards,
    overflow,
    malformed,
    emulatorTimeoutMs: emulatorTimeoutSeconds * 1000,
    keep,
    kafkaBatchSize,
    kafkaBatchingWindowMs,
    formats,
  };
  return { options, logsSpec, dir };
}

/**
 * --logs PATH: the files, counted in one streaming pass; a line no Kinesis record can hold (the agent would
 * discard it) is refused here, naming the file and line, so nothing is lost silently later.
 */
async function resolveLogs(spec: string, linesPerRecord: number | undefined): Promise<LogsInput> {
  let files: string[];
  try {
    files = resolveLogFiles(spec);
  } catch (error) {
    if (error instanceof LogFilesError) throw new UsageError(error.message);
    throw error;
  }
  console.log(`[ logs] reading ${files.length} file${files.length === 1 ? '' : 's'} of --logs ${spec} once to count the lines`);
  const scan = await scanLogFiles(files);
  if (scan.lines === 0) throw new UsageError(`--logs ${spec}: ${files.length} file(s), no line in them`);
  const perRecord = linesPerRecord ?? 1;
  const longestRecord = (scan.longest.bytes + 1) * perRecord;
  if (longestRecord > KINESIS_AGGREGATED_RECORD_MAX_BYTES) {
    const at = scan.longest.at!;
    throw new UsageError(
      `--logs ${spec}: line ${at.line} of ${displayPath(at.file)} is ${scan.longest.bytes.toLocaleString('en-US')} bytes` +
        `${perRecord > 1 ? ` (× --lines-per-record ${perRecord})` : ''}; a Kinesis record holds at most ${KINESIS_AGGREGATED_RECORD_MAX_BYTES.toLocaleString('en-US')} bytes, ` +
        'and the agent discards a longer line. Split or shorten it.',
    );
  }
  return { spec, scan };
}

/** --formats FILE: the file's formats, checked as synth checks a stage's; every problem is a usage error. */
function formatsFrom(file: string | undefined): CustomFormatDefinition[] {
  if (file === undefined || file.startsWith('--'))
    throw new UsageError(`--formats needs a JSON file of formats, e.g. --formats examples/formats/hdfs-apache-error.json`);
  try {
    return loadFormatsFile(file);
  } catch (error) {
    if (error instanceof FormatsFileError) throw new UsageError(`--formats ${error.message}`);
    throw new UsageError(`--formats ${file}: ${(error as Error).message}`);
  }
}

/**
 * Checks before anything starts that every record the options make fits in a Kinesis record (1 MiB):
 * a too-large --lines-per-record is a usage error naming the option and the limit.
 */
function checkRecordSize(options: LocalRunOptions): void {
  const corpus = buildCorpus({
    lines: options.lines,
    seed: options.seed,
    malformed: options.malformed,
    linesPerRecord: options.linesPerRecord,
  });
  const largest = corpus.payloads.reduce((max, p) => Math.max(max, p.length), 0);
  if (largest <= KINESIS_RECORD_MAX_BYTES) return;
  const longestLine = corpus.lines.reduce((max, l) => Math.max(max, l.length + 1), 0);
  const safe = Math.max(1, Math.floor(KINESIS_RECORD_MAX_BYTES / longestLine));
  throw new UsageError(
    `--lines-per-record ${options.linesPerRecord} packs up to ${largest.toLocaleString('en-US')} bytes into one Kinesis record; ` +
      `a record holds at most ${KINESIS_RECORD_MAX_BYTES.toLocaleString('en-US')} bytes (1 MiB). ` +
      `With these lines (longest ${longestLine.toLocaleString('en-US')} bytes), --lines-per-record ${safe} or less always fits.`,
  );
}

/** Errors whose message says all there is to say: shown without a stack trace. */
function describe(error: unknown): string {
  if (error instanceof EmulatorError || error instanceof MotoStartError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<number> {
  answerHelp(process.argv.slice(2), LOCAL_HELP);
  showNodeVersionWarningOnce();
  let options: LocalRunOptions;
  let dir: string;
  let lock: RunLock;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    dir = parsed.dir;
    // Before anything is read or started: a second run in this folder refuses at once.
    lock = acquireRunLock(dir, `npm run local -- ${process.argv.slice(2).join(' ')}`.trim());
    const logs = parsed.logsSpec === undefined ? undefined : await resolveLogs(parsed.logsSpec, parsed.options.linesPerRecord);
    options = { ...parsed.options, logs };
    if (!logs) checkRecordSize(options);
  } catch (error) {
    if (error instanceof RunLockError) {
      console.error(`npm run local: ${error.message}`);
      return 1;
    }
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${renderHelp(LOCAL_HELP)}`);
    return 2;
  }
  const workDir = dir;
  const started = Date.now();
  let currentStep = '';
  const context: LocalContext = {
    options,
    workDir,
    log: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s ${currentStep}] ${message}`),
    cleanups: [],
    keepInstructions: [],
  };

  const report: string[] = [];
  const failures: string[] = [];
  try {
    for (const step of STEPS) {
      currentStep = step.name;
      const result = await step.run(context);
      if (result.report.length > 0) report.push(`── ${step.name}`, ...result.report);
      failures.push(...result.failures.map((f) => `${step.name}: ${f}`));
      if (result.failures.length > 0 && step.required) break; // nothing after it can run
    }
  } catch (error) {
    failures.push(`${currentStep}: ${describe(error)}`);
  } finally {
    if (options.keep) {
      // Reported now, not after Ctrl-C: the user is about to look at what is left running.
      console.log(['', ...report].join('\n'));
      report.length = 0;
      if (failures.length > 0) printFailures(failures);
      lock.markKept();
      await keepRunning(context);
    }
    currentStep = 'cleanup';
    for (const cleanup of context.cleanups.reverse()) {
      await cleanup().catch((error: unknown) => context.log(`cleanup failed: ${String(error)}`));
    }
    lock.release();
  }

  if (!options.keep) console.log(['', ...report].join('\n'));
  if (failures.length > 0) {
    if (!options.keep) printFailures(failures);
    return 1;
  }
  console.log(
    `\nlocal run OK in ${((Date.now() - started) / 1000).toFixed(1)} s (kept for npm run query: ${displayPath(path.join(workDir, 'lake'))}/)`,
  );
  return 0;
}

function printFailures(failures: readonly string[]): void {
  console.error(
    `\nLOCAL RUN FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}):\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`,
  );
}

/**
 * --keep: names what is still running and what is not (a failure may have killed the broker or moto), prints how
 * to look at what runs, and waits for Ctrl-C (the cleanups then stop it all). A service that dies while waiting
 * is reported when it happens.
 */
async function keepRunning(context: LocalContext): Promise<void> {
  const services = keptServices(context);
  const lines = ['', '── still running (--keep); press Ctrl-C to stop everything'];
  for (const service of services.filter((s) => !s.alive())) lines.push(`✗ ${service.name} is not running: ${service.state()}`);
  const motoAlive = services.find((s) => s.name.startsWith('moto'))?.alive() ?? false;
  if (context.moto && motoAlive) {
    lines.push(
      `moto (AWS APIs, pid ${context.moto.pid}) on ${context.moto.endpoint}; the lake bucket is ${context.lakeBucket ?? '(not created)'}:`,
      `  .venv/bin/python -c "import boto3; s3 = boto3.client('s3', endpoint_url='${context.moto.endpoint}', region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local'); print('\\n'.join(o['Key'] for o in s3.list_objects_v2(Bucket='${context.lakeBucket ?? ''}').get('Contents', [])))"`,
      `  or in a browser: ${context.moto.endpoint}/moto-api/`,
    );
  }
  const kafka = context.kafka;
  if (kafka && kafka.pid !== undefined) {
    lines.push(
      `Kafka broker (pid ${kafka.pid}) on ${kafka.bootstrap} (log ${displayPath(kafka.logFile)}), with Kafka's console tools:`,
      ...context.keepInstructions.map((l) => `  ${l}`),
    );
  }
  lines.push(
    `the lake on disk (raw/, curated/): ${displayPath(path.join(context.workDir, 'lake'))}/ — npm run query -- "SELECT format, count(*) FROM curated GROUP BY format"`,
  );
  if (services.every((s) => !s.alive())) {
    lines.push('nothing is left running: ending now');
    console.log(lines.join('\n'));
    return;
  }
  console.log(lines.join('\n'));
  const reported = new Set(services.filter((s) => !s.alive()).map((s) => s.name));
  await new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      for (const service of services) {
        if (reported.has(service.name) || service.alive()) continue;
        reported.add(service.name);
        console.error(`\n✗ ${service.name} stopped while kept: ${service.state()}`);
      }
    }, 1000);
    const done = () => {
      clearInterval(watch);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

interface KeptService {
  readonly name: string;
  alive(): boolean;
  state(): string;
}

function keptServices(context: LocalContext): KeptService[] {
  const services: KeptService[] = [];
  const { moto, kafka } = context;
  if (moto) {
    services.push({
      name: `moto_server (pid ${moto.pid})`,
      alive: () => !moto.state().startsWith('dead'),
      state: () => `${moto.state()}; its last output:\n${moto.output()}`,
    });
  }
  if (kafka) {
    const pid = kafka.pid;
    services.push({
      name: `Kafka broker${pid === undefined ? '' : ` (pid ${pid})`}`,
      alive: () => kafka.pid !== undefined,
      state: () => `exited; its log: ${displayPath(kafka.logFile)}`,
    });
  }
  return services;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
