/**
 * The deploy rehearsal: what the Glue runtime does with the job's arguments.
 *
 * AWS's rules:
 * - Glue 5.0 has no continuous logging to switch on: it ignores --enable-continuous-cloudwatch-log,
 *   --enable-continuous-log-filter, --continuous-log-logGroup and --continuous-log-logStreamPrefix
 *   ("Migrating AWS Glue for Spark jobs to AWS Glue version 5.0", logging behavior changes,
 *   https://docs.aws.amazon.com/glue/latest/dg/migrating-version-50.html). A job must not rely on them.
 * - Glue 5.0 always logs in real time, to /aws-glue/jobs/output and /aws-glue/jobs/error, or to
 *   `<prefix>/output` and `<prefix>/error` for --custom-logGroup-prefix ("Logging for AWS Glue jobs",
 *   https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html). So the groups the job writes
 *   must be the stage's own: with its retention and key, removed or kept with the stage like every log group.
 */
import { allResources, describe_, keptOnDestroy, STAGES, stageTemplates, type StageResource } from './redeploy-templates';

/** Arguments Glue 5.0 ignores, by the migration page. */
const IGNORED_BY_GLUE_5 = [
  '--enable-continuous-cloudwatch-log',
  '--enable-continuous-log-filter',
  '--continuous-log-logGroup',
  '--continuous-log-logStreamPrefix',
];

describe.each(STAGES)('%s: Glue jobs', (stage) => {
  const templates = stageTemplates(stage);
  const resources = allResources(templates);
  const jobs = resources.filter((r) => r.resource.Type === 'AWS::Glue::Job');
  const args = (job: StageResource) => (job.resource.Properties?.DefaultArguments ?? {}) as Record<string, unknown>;

  test('no Glue 5.0 job passes an argument the runtime ignores', () => {
    expect(jobs.length).toBeGreaterThan(0);
    const ignored = jobs
      .filter((job) => Number(job.resource.Properties?.GlueVersion) >= 5)
      .flatMap((job) =>
        Object.keys(args(job))
          .filter((key) => IGNORED_BY_GLUE_5.includes(key))
          .map((key) => `${describe_(job)} passes ${key}`),
      );
    expect(ignored).toEqual([]);
  });

  test("every log group a Glue 5.0 job writes is one of the stage's, with retention, the key and the stage's removal policy", () => {
    const groups = resources.filter((r) => r.resource.Type === 'AWS::Logs::LogGroup');
    const groupNamed = (name: unknown) => groups.find((g) => JSON.stringify(g.resource.Properties?.LogGroupName) === JSON.stringify(name));
    const problems = jobs.flatMap((job) => {
      const prefix = args(job)['--custom-logGroup-prefix'];
      // Without a prefix, Glue writes to its shared /aws-glue/jobs/output and /error: not the stage's groups.
      if (prefix === undefined) return [`${describe_(job)} writes to Glue's shared /aws-glue/jobs/ groups (no --custom-logGroup-prefix)`];
      return ['output', 'error'].flatMap((suffix) => {
        const group = groupNamed({ 'Fn::Join': ['', [prefix, `/${suffix}`]] });
        if (group === undefined) return [`${describe_(job)} writes to <prefix>/${suffix}, which the stage does not create`];
        const p = group.resource.Properties ?? {};
        const wrong: string[] = [];
        if (p.RetentionInDays === undefined) wrong.push('no retention');
        if (p.KmsKeyId === undefined) wrong.push('no key');
        if (keptOnDestroy(group.resource) !== (stage === 'prod')) wrong.push(`DeletionPolicy ${group.resource.DeletionPolicy ?? 'Delete'}`);
        return wrong.map((w) => `${describe_(group)}: ${w}`);
      });
    });
    expect(problems).toEqual([]);
  });
});
