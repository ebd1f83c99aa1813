import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { projectApp } from '../../helpers/app';
import { asArray, iamStatements, putMetricDataNamespaces } from '../../helpers/iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JOB_SCRIPT_PATH } from '../../../lib/constructs/analytics/glue-etl';
import { GLUE_RUN_METRICS } from '../../../contracts/glue-run-metrics';
import { RECORD_SCHEMA_PATH } from '../../../lib/project-paths';
import { LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { STAGE_CONFIGS } from '../../../lib/config';
import { analyticsConfigProblems, type AnalyticsConfig } from '../../../lib/constructs/analytics/analytics-config';
import { Problems } from '../../../lib/problems';
import * as logs from 'aws-cdk-lib/aws-logs';

function validateAnalyticsConfig(config: AnalyticsConfig): string[] {
  const problems = new Problems();
  analyticsConfigProblems(config, problems);
  return problems.list;
}
import { AnalyticsStack } from '../../../lib/stacks/analytics-stack';

const DEV = STAGE_CONFIGS.dev.analytics;

/** Test-only stand-in for DataStack: the lake bucket and its key, passed to the analytics stack across stacks. */
class LakeFixtureStack extends cdk.Stack {
  public readonly lakeBucket: s3.IBucket;
  public readonly dataKey: kms.IKey;
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    this.dataKey = new kms.Key(this, 'DataKey', { enableKeyRotation: true });
    const bucket = new s3.Bucket(this, 'LakeBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    cdk.Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Test fixture standing in for the DataStack lake, which logs access',
    });
    this.lakeBucket = bucket;
  }
}

function analyticsStack(config: Partial<AnalyticsConfig> = {}, options: { nag?: boolean; retainData?: boolean } = {}) {
  const app = projectApp();
  const data = new LakeFixtureStack(app, 'Data');
  const stack = new AnalyticsStack(app, 'Analytics', {
    lakeBucket: data.lakeBucket,
    encryptionKey: data.dataKey,
    config: { ...DEV, ...config },
    removalPolicy: options.retainData ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY,
    logRetention: logs.RetentionDays.TWO_WEEKS,
  });
  if (options.nag) cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, etl: stack.etl, template: Template.fromStack(stack) };
}

const jobArgs = (template: Template) => Object.values(template.findResources('AWS::Glue::Job'))[0].Properties.DefaultArguments;

let dev: ReturnType<typeof analyticsStack>;
beforeAll(() => {
  dev = analyticsStack();
});

describe('Glue job', () => {
  test('is a Glue 5.0 Python 3 Spark ETL job with the worker settings, timeout and run limit from config', () => {
    const { template } = analyticsStack({ workerType: 'G.2X', numberOfWorkers: 7, jobTimeoutMinutes: 45 });
    template.hasResourceProperties('AWS::Glue::Job', {
      GlueVersion: '5.0',
      Command: { Name: 'glueetl', PythonVersion: '3' },
      WorkerType: 'G.2X',
      NumberOfWorkers: 7,
      Timeout: 45,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
    });
  });

  test('its script is glue/log_etl_job.py, shipped as an asset, and the library zip rides along', () => {
    const { app, template } = dev;
    const job = Object.values(template.findResources('AWS::Glue::Job'))[0].Properties;
    const scriptKey = job.Command.ScriptLocation['Fn::Join'][1].at(-1) as string;
    expect(scriptKey).toMatch(/^\/[0-9a-f]{64}\.py$/);
    const assembly = app.synth();
    const staged = fs.readFileSync(path.join(assembly.directory, `asset.${scriptKey.slice(1)}`), 'utf8');
    expect(staged).toBe(fs.readFileSync(JOB_SCRIPT_PATH, 'utf8'));

    const libraryKey = job.DefaultArguments['--extra-py-files']['Fn::Join'][1].at(-1) as string;
    expect(libraryKey).toMatch(/^\/[0-9a-f]{64}\.zip$/);
    const libraryDir = path.join(assembly.directory, `asset.${libraryKey.slice(1, -'.zip'.length)}`);
    // Zipped with log_etl/ at its root, so `import log_etl` works; the record schema is bundled inside.
    expect(fs.readdirSync(libraryDir)).toEqual(['log_etl']);
    const files = fs.readdirSync(path.join(libraryDir, 'log_etl')).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        '__init__.py',
        'transform.py',
        'record_schema.py',
        'lake_io.py',
        'catalog.py',
        'run_metrics.py',
        'glue-run-metrics.json',
        'log-record.schema.json',
      ]),
    );
    expect(fs.readFileSync(path.join(libraryDir, 'log_etl', 'log-record.schema.json'), 'utf8')).toBe(
      fs.readFileSync(RECORD_SCHEMA_PATH, 'utf8'),
    );
    // The run metrics' names: the same file the CDK app reads for the role's condition, the dashboard and the alarm.
    expect(JSON.parse(fs.readFileSync(path.join(libraryDir, 'log_etl', 'glue-run-metrics.json'), 'utf8'))).toMatchObject(GLUE_RUN_METRICS);
  });

  test('has job bookmarks on, scratch space in glue-temp/, and the lake paths from lake-layout', () => {
    const args = jobArgs(dev.template);
    expect(args['--job-bookmark-option']).toBe('job-bookmark-enable');
    const suffix = (value: { 'Fn::Join': [string, unknown[]] }) => value['Fn::Join'][1].at(-1);
    expect(suffix(args['--TempDir'])).toBe(`/${LAKE_PREFIXES.glueTemp}`);
    expect(suffix(args['--raw_path'])).toBe(`/${LAKE_PREFIXES.raw}`);
    expect(suffix(args['--curated_path'])).toBe(`/${LAKE_PREFIXES.curated}`);
    expect(suffix(args['--quarantine_path'])).toBe(`/${LAKE_PREFIXES.quarantine}`);
    expect(args['--database']).toEqual({ Ref: expect.stringMatching(/^CatalogDatabase/) });
    expect(args['--curated_table']).toEqual({ Ref: expect.stringMatching(/^CatalogCuratedTable/) });
  });

  test('passes exactly the arguments the entry script resolves', () => {
    const script = fs.readFileSync(JOB_SCRIPT_PATH, 'utf8');
    const declared = /^JOB_ARGUMENTS = \[(.*)\]$/m.exec(script);
    expect(declared).not.toBeNull();
    const scriptArgs = [...declared![1].matchAll(/"([A-Za-z_]+)"/g)].map((m) => m[1]).filter((name) => name !== 'JOB_NAME');
    const passed = Object.keys(jobArgs(dev.template))
      .filter((key) => /^--[a-z_]+$/.test(key) && !key.startsWith('--enable') && key !== '--extra-py-files' && key !== '--job-language')
      .map((key) => key.slice(2));
    expect(passed.sort()).toEqual(scriptArgs.sort());
  });

  test('logs to its own two encrypted groups, named after --custom-logGroup-prefix as Glue 5.0 does, with metrics on', () => {
    const { template, etl, stack } = dev;
    const args = jobArgs(template);
    expect(args).toMatchObject({ '--enable-metrics': '', '--enable-observability-metrics': 'true' });
    const prefix = stack.resolve(etl.logGroupPrefix);
    expect(args['--custom-logGroup-prefix']).toEqual(prefix);
    // "Logging for AWS Glue jobs": /aws-glue/jobs/output becomes <prefix>/output, /aws-glue/jobs/error <prefix>/error.
    for (const [suffix, group] of Object.entries(etl.logGroups)) {
      expect(stack.resolve(group.logGroupName)).toEqual({ Ref: stack.getLogicalId(group.node.defaultChild as cdk.CfnElement) });
      const resource = template.toJSON().Resources[stack.getLogicalId(group.node.defaultChild as cdk.CfnElement)];
      expect(resource.Properties).toMatchObject({ RetentionInDays: 14, KmsKeyId: expect.anything() });
      expect(JSON.stringify(resource.Properties.LogGroupName)).toContain(`/${suffix}`);
      expect(resource.Properties.LogGroupName).toEqual({ 'Fn::Join': ['', [prefix, `/${suffix}`]] });
    }
  });

  test('uses a security configuration that encrypts S3 output, CloudWatch logs and bookmarks with the data key', () => {
    const { template } = dev;
    const [id, config] = Object.entries(template.findResources('AWS::Glue::SecurityConfiguration'))[0];
    const encryption = config.Properties.EncryptionConfiguration;
    expect(encryption.S3Encryptions).toEqual([{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: expect.anything() }]);
    expect(encryption.CloudWatchEncryption.CloudWatchEncryptionMode).toBe('SSE-KMS');
    expect(encryption.JobBookmarksEncryption.JobBookmarksEncryptionMode).toBe('CSE-KMS');
    const keys = [
      encryption.S3Encryptions[0].KmsKeyArn,
      encryption.CloudWatchEncryption.KmsKeyArn,
      encryption.JobBookmarksEncryption.KmsKeyArn,
    ];
    for (const key of keys) expect(JSON.stringify(key)).toMatch(/DataKey[0-9A-F]+Arn/);
    template.hasResourceProperties('AWS::Glue::Job', { SecurityConfiguration: { Ref: id } });
  });

  test('runs on the configured schedule through a workflow trigger that is started on creation', () => {
    const { template } = analyticsStack({ schedule: 'cron(5 2 * * ? *)' });
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: 'cron(5 2 * * ? *)',
      StartOnCreation: true,
      Actions: [{ JobName: { Ref: Match.stringLikeRegexp('^EtlJob') } }],
      WorkflowName: { Ref: Match.stringLikeRegexp('^EtlWorkflow') },
    });
  });
});

describe('job role', () => {
  const lakeStatements = () => iamStatements(dev.template).filter((s) => JSON.stringify(s.Resource).includes('LakeBucket'));

  test('is assumed by Glue only and has no managed policies', () => {
    const roles = Object.values(dev.template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' } },
    ]);
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('never allows a * action, and wildcard action families only on the CDK asset bucket', () => {
    for (const statement of iamStatements(dev.template)) {
      for (const action of asArray(statement.Action)) {
        expect(action).not.toBe('*');
        if (action.includes('*')) expect(JSON.stringify(statement.Resource)).toContain('cdk-hnb659fds-assets');
      }
    }
  });

  test('reads only raw/ and writes only curated/, quarantine/ and glue-temp/ of the lake, with exact actions', () => {
    const byResource = new Map<string, string[]>();
    for (const statement of lakeStatements()) {
      for (const resource of asArray(statement.Resource)) {
        const text = JSON.stringify(resource);
        const prefix = /"\/([a-z-]+\/)\*"/.exec(text)?.[1] ?? '(bucket)';
        byResource.set(prefix, [...(byResource.get(prefix) ?? []), ...asArray(statement.Action)]);
      }
    }
    const write = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'];
    expect(Object.fromEntries([...byResource].map(([prefix, actions]) => [prefix, actions.sort()]))).toEqual({
      '(bucket)': ['s3:ListBucket'],
      [LAKE_PREFIXES.raw]: ['s3:GetObject'],
      [LAKE_PREFIXES.curated]: write,
      [LAKE_PREFIXES.quarantine]: write,
      [LAKE_PREFIXES.glueTemp]: write,
    });
  });

  test('lists the bucket only under the job prefixes', () => {
    const list = iamStatements(dev.template).find((s) => s.Sid === 'ListJobPrefixes')!;
    expect(list.Condition).toEqual({
      StringLike: { 's3:prefix': ['raw', 'raw/*', 'curated', 'curated/*', 'quarantine', 'quarantine/*', 'glue-temp', 'glue-temp/*'] },
    });
  });

  test('uses the data key with exact actions, and no other key', () => {
    const kmsStatements = iamStatements(dev.template).filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toHaveLength(1);
    expect(asArray(kmsStatements[0].Action).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(JSON.stringify(kmsStatements[0].Resource)).toMatch(/DataKey[0-9A-F]+Arn/);
  });

  test('may only read the curated table and add its partitions', () => {
    const glueStatement = iamStatements(dev.template).find((s) => s.Sid === 'RegisterCuratedPartitions')!;
    expect(asArray(glueStatement.Action).sort()).toEqual(['glue:BatchCreatePartition', 'glue:GetTable']);
    const resources = JSON.stringify(glueStatement.Resource);
    expect(resources).toContain(':catalog');
    expect(resources).toContain('CatalogDatabase');
    expect(resources).toContain('CatalogCuratedTable');
    expect(resources).not.toContain('CatalogRawTable');
  });

  test("the one * resource is PutMetricData, held to Glue's namespace and the job's run counts", () => {
    const starred = iamStatements(dev.template).filter((s) => asArray(s.Resource).includes('*'));
    expect(starred).toEqual([
      {
        Sid: 'GlueJobMetrics',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': ['Glue', GLUE_RUN_METRICS.namespace] } },
      },
    ]);
    expect(putMetricDataNamespaces(iamStatements(dev.template))).toEqual(['Glue', 'LogPipeline/Glue']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the analytics stack has zero unacknowledged findings (GL1, GL3, IAM4, IAM5 ...)', () => {
    const { app } = analyticsStack({}, { nag: true });
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  test('the checks do run: an unacknowledged wildcard fails them', () => {
    const { app, stack } = analyticsStack({}, { nag: true });
    stack.etl.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['glue:Get*'], resources: [stack.catalog.database.databaseArn] }),
    );
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-IAM5\[Action::glue:Get\*\]/);
  });
});

describe('analytics config', () => {
  test.each(['dev', 'prod'] as const)('the proposed %s values are valid', (stage) => {
    expect(validateAnalyticsConfig(STAGE_CONFIGS[stage].analytics)).toEqual([]);
  });

  test('names every bad setting with its range and value', () => {
    const problems = validateAnalyticsConfig({
      schedule: 'rate(1 hour)',
      workerType: 'R.1X' as never,
      numberOfWorkers: 1,
      autoScaling: 'yes' as never,
      executionClass: 'FAST' as never,
      jobTimeoutMinutes: 0,
      maxConcurrentRuns: 3,
      bytesScannedCutoffPerQuery: 5,
    });
    expect(problems).toEqual([
      "analytics.schedule must be a Glue cron expression with six fields, e.g. cron(15 * * * ? *) (got 'rate(1 hour)')",
      "analytics.workerType must be one of G.1X, G.2X, G.4X, G.8X (got 'R.1X')",
      'analytics.numberOfWorkers must be an integer between 2 and 299 (got 1)',
      'analytics.autoScaling must be true or false (got yes)',
      "analytics.executionClass must be one of STANDARD, FLEX (got 'FAST')",
      'analytics.jobTimeoutMinutes must be an integer between 1 and 2880 (got 0)',
      'analytics.maxConcurrentRuns must be an integer between 1 and 1 (got 3): job bookmarks track one run at a time; concurrent runs would read the same raw objects',
      `analytics.bytesScannedCutoffPerQuery must be an integer between 10000000 and ${Number.MAX_SAFE_INTEGER} (got 5): Athena's minimum is 10 MB`,
    ]);
  });

  test('Flex runs G.1X and G.2X workers only', () => {
    expect(validateAnalyticsConfig({ ...STAGE_CONFIGS.dev.analytics, executionClass: 'FLEX', workerType: 'G.4X' })).toEqual([
      "analytics.executionClass must not be 'FLEX' with workerType 'G.4X': Flex runs G.1X and G.2X workers only",
    ]);
  });

  test('prod scales between 2 workers and its ceiling on the standard class; dev runs Flex on 2 workers', () => {
    const prod = analyticsStack(STAGE_CONFIGS.prod.analytics).template;
    prod.hasResourceProperties('AWS::Glue::Job', {
      ExecutionClass: 'STANDARD',
      NumberOfWorkers: 10,
      DefaultArguments: Match.objectLike({ '--enable-auto-scaling': 'true' }),
    });
    const devJob = Object.values(dev.template.findResources('AWS::Glue::Job'))[0].Properties;
    expect(devJob.ExecutionClass).toBe('FLEX');
    expect(devJob.DefaultArguments['--enable-auto-scaling']).toBeUndefined();
  });

  test('prod keeps the job log groups; the security configuration is deleted', () => {
    const { template } = analyticsStack(STAGE_CONFIGS.prod.analytics, { retainData: true });
    expect(Object.values(template.findResources('AWS::Logs::LogGroup')).map((group) => group.DeletionPolicy)).toEqual(['Retain', 'Retain']);
    template.hasResource('AWS::Glue::SecurityConfiguration', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::Glue::Job', { NumberOfWorkers: 10, Timeout: 180 });
    template.hasResourceProperties('AWS::Glue::Trigger', { Schedule: 'cron(15 * * * ? *)' });
  });
});
