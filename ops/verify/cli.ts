/**
 * `npm run verify -- -c stage=<stage> [--lines N] [--timeout S] [--file PATH] [--curated [--curated-timeout S]]`:
 * proves a deployed stage end to end. Writes uniquely marked lines into a file the host's agent ships (SSM Run
 * Command, so nothing needs inbound access), waits with progress for them under raw/ for each deployed path,
 * checks each parsed into the record schema, and prints how long each took or where the markers stopped.
 * With --curated it then runs the Glue job and looks for the markers in the curated table with Athena.
 *
 * The logic is in markers.ts and curated.ts, the S3, Glue and Athena calls in lake.ts and glue-athena.ts (all
 * tested against the local emulated stack); this file is the thin AWS part: stack outputs, the SSM command,
 * the clients.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, stageConfig, type StageConfig } from '../../lib/config';
import { demoFiles } from '../../lib/constructs/log-host/boot-script';
import { destinationsOf } from '../../lib/constructs/log-host/host-config';
import { recordValidator } from '../../lib/record-schema';
import { answerHelp, parseArgs, UsageError, type CommandHelp } from '../../lib/cli/args';
import { ANALYTICS_OUTPUTS } from '../../lib/stacks/analytics-outputs';
import { explainAwsError } from './aws-errors';
import { checkAwsSetup } from './aws-setup';
import { showNodeVersionWarningOnce } from '../../lib/cli/node-warnings';
import { checkCurated } from './glue-athena';
import { readLakeSince } from './lake';
import {
  judgePath,
  makeMarkers,
  matchMarkers,
  newRunId,
  waitUntil,
  appendCommand,
  VerifyError,
  VERIFY_PATHS,
  type PathVerdict,
  type FoundRecord,
  type VerifyPath,
} from './markers';

export { VerifyError, explainAwsError };

/**
 * The file markers go to, and the paths it ships to: the stage's first file that ships to both paths, else
 * its first shipped file (a JSON line parses in any of them).
 */
export function markerTarget(config: StageConfig): { readonly file: string; readonly paths: readonly VerifyPath[] } {
  const files = [...config.host.logFiles, ...(config.host.demoGenerator.enabled ? demoFiles() : [])];
  if (files.length === 0) throw new VerifyError(`stage ${config.stage} ships no log file: nothing to write markers into`);
  const file = files.find((f) => destinationsOf(f).length === VERIFY_PATHS.length) ?? files[0];
  return { file: file.path, paths: VERIFY_PATHS.filter((path) => destinationsOf(file).includes(path)) };
}

/** The file markers go to (see markerTarget). */
export function markerFile(config: StageConfig): string {
  return markerTarget(config).file;
}

async function stackOutputs(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (!stack?.StackStatus?.endsWith('_COMPLETE') || stack.StackStatus.startsWith('DELETE')) {
      throw new VerifyError(`stack ${stackName} is ${stack?.StackStatus ?? 'missing'}: deploy it first (npm run deploy -- -c stage=...)`);
    }
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (err) {
    throw explainAwsError(err, `reading stack ${stackName}`);
  }
}

export async function verify(argv: readonly string[], log: (line: string) => void = console.log): Promise<PathVerdict[]> {
  const { context, options } = parseArgs(argv, ['lines', 'timeout', 'file', 'interval', 'curated-timeout'], ['curated']);
  const config = stageConfig(context.stage);
  const lines = Number(options.lines ?? '5');
  if (!Number.isInteger(lines) || lines < 1 || lines > 1000)
    throw new UsageError(`--lines must be an integer from 1 to 1000 (got '${String(options.lines)}')`);
  const timeoutS = Number(options.timeout ?? '900');
  if (!Number.isInteger(timeoutS) || timeoutS < 30)
    throw new UsageError(`--timeout must be an integer number of seconds, at least 30 (got '${String(options.timeout)}')`);
  const intervalS = Number(options.interval ?? '15');
  const curated = options.curated === true;
  // The job times out after analytics.jobTimeoutMinutes; ten minutes more cover a Flex run's later start and the query.
  const curatedTimeoutS = Number(options['curated-timeout'] ?? String(config.analytics.jobTimeoutMinutes * 60 + 600));
  if (!Number.isInteger(curatedTimeoutS) || curatedTimeoutS < 60) {
    throw new UsageError(
      `--curated-timeout must be an integer number of seconds, at least 60 (got '${String(options['curated-timeout'])}')`,
    );
  }
  if (options['curated-timeout'] !== undefined && !curated) throw new UsageError('--curated-timeout needs --curated');
  const target = markerTarget(config);
  const file = typeof options.file === 'string' ? options.file : target.file;
  // A file given with --file is taken to ship where the stage's marker file does.
  const paths = target.paths;

  const prefix = `LogPipeline-${config.stage}`;
  const cfn = new CloudFormationClient({});
  // Region and credentials first, before any call: a missing one is named with what to set.
  await checkAwsSetup(cfn);
  const data = await stackOutputs(cfn, `${prefix}-Data`);
  const host = await stackOutputs(cfn, `${prefix}-Host`);
  const bucket = data.LakeBucketName;
  const instanceId = host.LogHostInstanceId;
  if (!bucket || !instanceId)
    throw new VerifyError(
      `stack outputs LakeBucketName (${prefix}-Data) and LogHostInstanceId (${prefix}-Host) are required; redeploy the stage`,
    );
  // Read before any marker is written: a stage without its Analytics stack fails now, not after the raw wait.
  const analytics = curated ? await stackOutputs(cfn, `${prefix}-Analytics`) : {};
  const missing = Object.values(ANALYTICS_OUTPUTS).filter((key) => curated && !analytics[key]);
  if (missing.length > 0)
    throw new VerifyError(`stack ${prefix}-Analytics lacks the output(s) ${missing.join(', ')} that --curated reads; redeploy the stage`);

  // One set of markers per path the file ships to: each line travels every path, and each path's wait
  // looks for its own set under its own raw/source=<path>/ prefix.
  const runId = newRunId();
  const markersByPath = new Map(paths.map((path) => [path, makeMarkers(runId, path, lines)] as const));
  const markers = [...markersByPath.values()].flat();
  log(`verify ${config.stage}: run ${runId}, ${markers.length} marker line(s) into ${file} on ${instanceId} (paths: ${paths.join(', ')})`);

  const ssm = new SSMClient({});
  const started = Date.now();
  try {
    const { Command } = await ssm.send(
      new SendCommandCommand({
        InstanceIds: [instanceId],
        DocumentName: 'AWS-RunShellScript',
        Comment: `log-pipeline verify ${runId}`,
        Parameters: { commands: [appendCommand(file, markers)] },
      }),
    );
    const commandId = Command!.CommandId!;
    const ssmWait = await waitUntil(
      'SSM command',
      async () => {
        const inv = await ssm
          .send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }))
          .catch((err: { name?: string }) => {
            if (err.name === 'InvocationDoesNotExist') return { Status: 'Pending' as const, StandardErrorContent: '' };
            throw err;
          });
        const status = inv.Status ?? 'Pending';
        if (['Failed', 'Cancelled', 'TimedOut'].includes(status))
          throw new VerifyError(`the SSM command on ${instanceId} ended ${status}: ${inv.StandardErrorContent ?? ''}`);
        return { done: status === 'Success', state: status, progress: status };
      },
      { timeoutMs: 120_000, intervalMs: 3_000, onProgress: log },
    );
    if (!ssmWait.done)
      throw new VerifyError(
        `the SSM command on ${instanceId} did not finish in 120 s: is the SSM agent online (aws ssm describe-instance-information)?`,
      );
  } catch (err) {
    throw explainAwsError(err, 'writing the markers through SSM Run Command');
  }

  const s3 = new S3Client({});
  const validate = recordValidator();
  const waitForPath = async (path: VerifyPath): Promise<PathVerdict> => {
    const expected = markersByPath.get(path) ?? [];
    const seen = new Map<string, FoundRecord[] | number>();
    const lakeWait = await waitUntil(
      `${path} path`,
      async () => {
        const read = await readLakeSince(
          s3,
          bucket,
          { raw: [`raw/source=${path}/dt=`], errors: ['errors/'] },
          started,
          Date.now(),
          `run=${runId}`,
          seen,
        );
        const matches = matchMarkers(expected, read.records, validate);
        const landed = matches.filter((m) => m.found.length > 0).length;
        return {
          done: landed === expected.length || read.errorRecords > 0,
          state: { matches, read },
          progress: `${path}: ${landed}/${expected.length} markers under raw/source=${path}/ (${seen.size} new objects read)`,
        };
      },
      { timeoutMs: timeoutS * 1000, intervalMs: intervalS * 1000, onProgress: log },
    ).catch((err) => {
      throw explainAwsError(err, `reading s3://${bucket}/raw/source=${path}/`);
    });
    const lastLanding = Math.max(...lakeWait.state.matches.flatMap((m) => m.found.map((f) => f.landedAtMs ?? 0)));
    return judgePath({
      path,
      expected: expected.length,
      written: true, // a failed or unfinished SSM command has thrown above
      matches: lakeWait.state.matches,
      inErrors: lakeWait.state.read.errorRecords,
      elapsedMs: lakeWait.done ? lastLanding - started : undefined,
    });
  };
  const verdicts = await Promise.all(paths.map((path) => waitForPath(path)));
  report(verdicts, log);
  if (!curated) return verdicts;

  const jobName = analytics[ANALYTICS_OUTPUTS.glueJobName];
  log(
    `verify ${config.stage} --curated: starting the Glue job ${jobName}, then an Athena query over the curated table (waits up to ${curatedTimeoutS} s)`,
  );
  const curatedVerdicts = await checkCurated({
    glue: new GlueClient({}),
    athena: new AthenaClient({}),
    s3,
    bucket,
    jobName,
    table: {
      database: analytics[ANALYTICS_OUTPUTS.database],
      table: analytics[ANALYTICS_OUTPUTS.curatedTable],
      workGroup: analytics[ANALYTICS_OUTPUTS.workGroup],
    },
    runId,
    markersByPath,
    rawVerdicts: verdicts,
    writtenAtMs: started,
    timeoutMs: curatedTimeoutS * 1000,
    intervalMs: intervalS * 1000,
    onProgress: log,
  });
  report(curatedVerdicts, log);
  return [...verdicts, ...curatedVerdicts];
}

function report(verdicts: readonly PathVerdict[], log: (line: string) => void): void {
  for (const verdict of verdicts) {
    log(verdict.summary);
    for (const problem of verdict.problems) log(`  - ${problem}`);
  }
}

export const VERIFY_HELP: CommandHelp = {
  usage: 'npm run verify -- -c stage=<stage> [--lines N] [--timeout S] [--interval S] [--file PATH] [--curated [--curated-timeout S]]',
  summary:
    "Proves a deployed stage end to end: writes marked lines into a file the host's agent ships (SSM Run Command),\n" +
    'waits for them under raw/ on each deployed path and checks each parsed into the record schema. Exit 0 when\n' +
    'every path passed, 1 when one did not, 2 on a usage, config or AWS error.',
  options: [
    { name: '-c stage=<stage>', description: 'the deployed stage to verify (also --context stage=<stage>)' },
    { name: '--lines N', description: 'marker lines per path, 1-1000 (default 5)' },
    { name: '--timeout S', description: 'seconds to wait for the markers under raw/, at least 30 (default 900)' },
    { name: '--interval S', description: 'seconds between looks at the lake (default 15)' },
    {
      name: '--file PATH',
      description: "file on the host to append the markers to (default: the stage's first file shipped to both paths)",
    },
    { name: '--curated', description: 'then run the Glue job and look for the markers in the curated table with Athena' },
    {
      name: '--curated-timeout S',
      description: "seconds to wait for the job and the query, at least 60 (default: the job's timeout + 600)",
    },
  ],
};

if (require.main === module) {
  answerHelp(process.argv.slice(2), VERIFY_HELP);
  // Before any SDK client exists: the SDK's Node-version notice is one line, once.
  showNodeVersionWarningOnce((line) => console.error(line));
  verify(process.argv.slice(2))
    .then((verdicts) => process.exit(verdicts.every((v) => v.ok) ? 0 : 1))
    .catch((err: unknown) => {
      if (err instanceof UsageError || err instanceof ConfigError || err instanceof VerifyError) {
        console.error(`npm run verify: ${err.message}`);
        process.exit(2);
      }
      throw err;
    });
}
