/**
 * `npm run bench`: every benchmark of the project, each reported as a ratio to a floor measured in the
 * same run (these machines are shared and noisy; absolute times are printed for context only).
 *
 *   npm run bench                      transform + cold start + Kafka consumer + Glue job
 *   npm run bench -- --only transform  one of them (transform, cold-start, consumer, glue)
 *   npm run bench -- --glue-mb 100     size of the generated raw dataset for the Glue job
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/project-paths';
import { answerHelp, type CommandHelp } from '../lib/cli/args';
import { showNodeVersionWarningOnce } from '../lib/cli/node-warnings';
import { formatColdStartReport, runColdStartBench } from './cold-start-bench';
import { formatConsumerReport, runConsumerBench } from './consumer-bench';
import { formatTransformReport, runTransformBench } from './transform-bench';

const BENCH_HELP: CommandHelp = {
  usage: 'npm run bench -- [--only transform|cold-start|consumer|glue] [--iterations N] [--glue-mb MB]',
  summary:
    'Every benchmark of the project, each reported as a ratio to a floor measured in the same run (absolute\n' +
    'times are printed for context only: shared machines are noisy).',
  options: [
    { name: '--only NAME', description: 'run one benchmark: transform, cold-start, consumer or glue (default: all four)' },
    { name: '--iterations N', description: 'timed runs per measurement, of which the median counts (default 15)' },
    { name: '--glue-mb MB', description: 'size of the generated raw dataset for the Glue job, in MB (default 300)' },
  ],
};

async function main(): Promise<void> {
  answerHelp(process.argv.slice(2), BENCH_HELP);
  // The bundled handlers each load the AWS SDK: its Node-version notice once, on one line.
  showNodeVersionWarningOnce();
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      iterations: { type: 'string', default: '15' },
      'glue-mb': { type: 'string', default: '300' },
    },
  });
  const only = values.only;
  if (only !== undefined && !['transform', 'cold-start', 'consumer', 'glue'].includes(only)) {
    throw new Error(`--only must be 'transform', 'cold-start', 'consumer' or 'glue' (got '${only}')`);
  }

  if (!only || only === 'transform') {
    const result = await runTransformBench({ iterations: Number(values.iterations) });
    console.log(formatTransformReport(result));
  }

  if (!only || only === 'cold-start') {
    const result = await runColdStartBench();
    console.log(`\n${formatColdStartReport(result)}`);
  }

  if (!only || only === 'consumer') {
    const result = await runConsumerBench({ iterations: Number(values.iterations) });
    console.log(`\n${formatConsumerReport(result)}`);
  }

  if (!only || only === 'glue') {
    console.log('\nGlue job transform on local Spark vs floor (read the same JSON, write Parquet untransformed)');
    const setup = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'python-env.sh')], { stdio: 'inherit' });
    if (setup.status !== 0) throw new Error('scripts/python-env.sh failed: the Glue benchmark needs the project virtualenv');
    const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
    const script = path.join(PROJECT_ROOT, 'glue', 'bench', 'bench_transform.py');
    if (!fs.existsSync(script)) throw new Error(`${path.relative(PROJECT_ROOT, script)} is missing`);
    const run = spawnSync(python, [script, '--mb', values['glue-mb']!], { stdio: 'inherit', cwd: PROJECT_ROOT });
    if (run.status !== 0) throw new Error(`the Glue benchmark failed (exit ${run.status})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
