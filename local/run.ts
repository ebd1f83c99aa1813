/**
 * `npm run local`: the pipeline on this machine, on real software (moto for AWS, the bundled transform).
 * Runs the steps in order, prints what landed, and exits non-zero when anything was lost or broken.
 *
 *   npm run local -- [--lines N] [--seed N] [--lines-per-record N] [--shards N] [--overflow] [--no-malformed]
 *                    [--emulator-timeout S]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-paths';
import { showNodeVersionWarningOnce } from './node-warnings';
import { buildCorpus } from './corpus';
import { KINESIS_RECORD_MAX_BYTES } from './kinesis-producer';
import { DEFAULT_EMULATOR_TIMEOUT_MS, EmulatorError, MotoStartError } from './moto';
import { glueStep } from './steps/glue';
import { javaStep } from './steps/java';
import { kinesisPathStep } from './steps/kinesis-path';
import { motoStep } from './steps/moto';
import { pythonEnvStep } from './steps/python-env';
import type { LocalContext, LocalRunOptions, LocalStep } from './steps/step';

/** Append later paths (Glue on local Spark, Kafka) here; each reads what earlier steps left in the context. */
const STEPS: readonly LocalStep[] = [javaStep, pythonEnvStep, motoStep, kinesisPathStep, glueStep];

const DEFAULT_LINES = 5_000;
/** With --overflow: enough lines to fill a 6 MB first request with some left over… */
const DEFAULT_OVERFLOW_LINES = 20_000;
/** …packed several per record, so the request carries more log bytes than per-record metadata. */
const DEFAULT_OVERFLOW_LINES_PER_RECORD = 4;

const USAGE = `usage: npm run local -- [options]
  --lines N             lines to send, malformed ones included (default ${DEFAULT_LINES}; ${DEFAULT_OVERFLOW_LINES} with --overflow)
  --seed N              generator seed (default 1)
  --lines-per-record N  lines packed into each Kinesis record (default 1; ${DEFAULT_OVERFLOW_LINES_PER_RECORD} with --overflow)
  --shards N            provisioned stream with N shards (default: on-demand, as the dev stage)
  --overflow            first transform call gets a full 6 MB request, so it must re-ingest what does not fit
  --no-malformed        send only well-formed generated lines
  --emulator-timeout S  seconds each call to the emulator (moto) may take, retries included (default ${DEFAULT_EMULATOR_TIMEOUT_MS / 1000})`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): LocalRunOptions {
  let lines: number | undefined;
  let seed = 1;
  let linesPerRecord: number | undefined;
  let shards = 0;
  let overflow = false;
  let malformed = true;
  let emulatorTimeoutSeconds = DEFAULT_EMULATOR_TIMEOUT_MS / 1000;
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
      case '--lines': lines = integerValue(1); break;
      case '--seed': seed = integerValue(0); break;
      case '--lines-per-record': linesPerRecord = integerValue(1); break;
      case '--shards': shards = integerValue(1); break;
      case '--overflow': overflow = true; break;
      case '--no-malformed': malformed = false; break;
      case '--emulator-timeout': emulatorTimeoutSeconds = integerValue(1); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return {
    lines: lines ?? (overflow ? DEFAULT_OVERFLOW_LINES : DEFAULT_LINES),
    linesPerRecord: linesPerRecord ?? (overflow ? DEFAULT_OVERFLOW_LINES_PER_RECORD : 1),
    seed,
    shards,
    overflow,
    malformed,
    emulatorTimeoutMs: emulatorTimeoutSeconds * 1000,
  };
}

/**
 * Checks before anything starts that every record the options make fits in a Kinesis record (1 MiB):
 * a too-large --lines-per-record is a usage error naming the option and the limit.
 */
function checkRecordSize(options: LocalRunOptions): void {
  const corpus = buildCorpus({ lines: options.lines, seed: options.seed, malformed: options.malformed, linesPerRecord: options.linesPerRecord });
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
  showNodeVersionWarningOnce();
  let options: LocalRunOptions;
  try {
    options = parseArgs(process.argv.slice(2));
    checkRecordSize(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const workDir = path.join(PROJECT_ROOT, '.local');
  fs.mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  let currentStep = '';
  const context: LocalContext = {
    options,
    workDir,
    log: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s ${currentStep}] ${message}`),
    cleanups: [],
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
    currentStep = 'cleanup';
    for (const cleanup of context.cleanups.reverse()) {
      await cleanup().catch((error: unknown) => context.log(`cleanup failed: ${String(error)}`));
    }
  }

  console.log(['', ...report].join('\n'));
  if (failures.length > 0) {
    console.error(`\nLOCAL RUN FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}):\n${failures.map((f) => `  ✗ ${f}`).join('\n')}`);
    return 1;
  }
  console.log(`\nlocal run OK in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
