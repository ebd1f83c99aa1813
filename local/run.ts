/**
 * `npm run local`: the pipeline on this machine, on real software (moto for AWS, the bundled transform).
 * Runs the steps in order, prints what landed, and exits non-zero when anything was lost or broken.
 *
 *   npm run local -- [--lines N] [--seed N] [--lines-per-record N] [--shards N] [--overflow] [--no-malformed]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-paths';
import { showNodeVersionWarningOnce } from './node-warnings';
import { glueStep } from './steps/glue';
import { kinesisPathStep } from './steps/kinesis-path';
import { motoStep } from './steps/moto';
import { pythonEnvStep } from './steps/python-env';
import type { LocalContext, LocalRunOptions, LocalStep } from './steps/step';

/** Append later paths (Glue on local Spark, Kafka) here; each reads what earlier steps left in the context. */
const STEPS: readonly LocalStep[] = [pythonEnvStep, motoStep, kinesisPathStep, glueStep];

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
  --no-malformed        send only well-formed generated lines`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): LocalRunOptions {
  let lines: number | undefined;
  let seed = 1;
  let linesPerRecord: number | undefined;
  let shards = 0;
  let overflow = false;
  let malformed = true;
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
  };
}

async function main(): Promise<number> {
  showNodeVersionWarningOnce();
  let options: LocalRunOptions;
  try {
    options = parseArgs(process.argv.slice(2));
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
      if (result.failures.length > 0 && step === pythonEnvStep) break; // nothing else can run without it
    }
  } catch (error) {
    failures.push(`${currentStep}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
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
