/**
 * What docs/security.md claims, checked over every template of both stages as deployed:
 * who may read curated/ or delete anything in the lake, exactly what Firehose may do, that the Glue job reads
 * only its own assets, the confused-deputy conditions of every service role, and the AWS managed policies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { SERVICE_TRUST_CONDITIONS } from '../../lib/confused-deputy';
import { synthStage } from '../helpers/app';
import { attachedStatements, putMetricDataNamespaces, type Statement } from '../helpers/iam';
import { GLUE_RUN_METRICS } from '../../contracts/glue-run-metrics';
import { MSF_METRICS_NAMESPACE } from '../../lib/constructs/realtime';

/** A CloudFormation value as text: references become <Name>, joins are concatenated. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flat).join(',');
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value as Record<string, unknown>);
    if (fn === 'Fn::Join') return ((arg as unknown[])[1] as unknown[]).map(flat).join((arg as unknown[])[0] as string);
    if (fn === 'Ref') return `<${String(arg)}>`;
    if (fn === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
    if (fn === 'Fn::Sub') return String(arg);
    if (fn === 'Fn::ImportValue') return `<${flat(arg)}>`;
  }
  return JSON.stringify(value);
}

const list = (v: unknown): string[] => ([] as unknown[]).concat(v ?? []).map(flat);
const LAKE = /LakeLakeBucket/;
const coversPrefix = (resource: string, prefix: string) =>
  LAKE.test(resource) && (resource.endsWith(`/${prefix}*`) || (/\/\*$/.test(resource) && !/\/[a-z-]+(=[a-z]+)?\/\*$/.test(resource)));
const actionMatches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i').test(action);

/** Every Allow statement of every IAM policy, with the role(s) it is attached to. */
function roleStatements(): Array<{ stage: string; role: string; statement: Statement }> {
  const out: Array<{ stage: string; role: string; statement: Statement }> = [];
  for (const stage of ['dev', 'prod'] as const) {
    for (const template of Object.values(synthStage(stage).templates)) {
      for (const { roles, statement } of attachedStatements(template)) {
        if (statement.Effect === 'Allow') for (const role of list(roles)) out.push({ stage, role, statement });
      }
    }
  }
  return out;
}

describe('least privilege', () => {
  const statements = roleStatements();
  const rolesAllowedTo = (action: string, resource: (r: string) => boolean) =>
    [
      ...new Set(
        statements
          .filter(
            ({ statement }) => list(statement.Action).some((a) => actionMatches(a, action)) && list(statement.Resource).some(resource),
          )
          .map((s) => `${s.stage}:${s.role}`),
      ),
    ].sort();

  test('only the Glue job and the stream analytics application may PutMetricData, each only in its own namespaces (by condition, as it has no resources)', () => {
    const publishers = statements.filter(({ statement }) =>
      list(statement.Action).some((a) => actionMatches(a, 'cloudwatch:PutMetricData')),
    );
    expect([...new Set(publishers.map((p) => `${p.stage}:${p.role}`))].sort()).toEqual([
      'dev:<EtlRole378F0859>',
      'prod:<AnalyticsRole98C5B992>',
      'prod:<EtlRole378F0859>',
    ]);
    expect(putMetricDataNamespaces(publishers.map((p) => p.statement)).sort()).toEqual(
      ['Glue', 'Glue', GLUE_RUN_METRICS.namespace, GLUE_RUN_METRICS.namespace, MSF_METRICS_NAMESPACE].sort(),
    );
  });

  test('only the Glue job may read curated/', () => {
    expect(rolesAllowedTo('s3:GetObject', (r) => coversPrefix(r, 'curated/'))).toEqual(['dev:<EtlRole378F0859>', 'prod:<EtlRole378F0859>']);
  });

  test('only the Glue job may delete in the lake, and only in curated/, quarantine/ and glue-temp/', () => {
    const deleters = statements.filter(
      ({ statement }) =>
        list(statement.Action).some((a) => actionMatches(a, 's3:DeleteObject') || actionMatches(a, 's3:DeleteObjectVersion')) &&
        list(statement.Resource).some((r) => LAKE.test(r)),
    );
    expect([...new Set(deleters.map((d) => `${d.stage}:${d.role}`))].sort()).toEqual(['dev:<EtlRole378F0859>', 'prod:<EtlRole378F0859>']);
    for (const { statement } of deleters) {
      expect(
        list(statement.Resource)
          .map((r) => r.replace(/^<[^>]+>/, '<lake>'))
          .sort(),
      ).toEqual(['<lake>/curated/*', '<lake>/glue-temp/*', '<lake>/quarantine/*']);
    }
  });

  test.each(['dev', 'prod'] as const)('%s: Firehose may do exactly what delivery needs, on its own prefixes', (stage) => {
    const firehose = statements
      .filter((s) => s.stage === stage && s.role === '<DeliveryRole959799AB>')
      .map(({ statement }) => ({
        actions: list(statement.Action).sort(),
        resources: list(statement.Resource)
          .map((r) => r.replace(/^<[\w-]+:ExportsOutputFnGetAttLakeLakeBucket\w+>/, '<lake>'))
          .sort(),
        ...(statement.Condition ? { condition: Object.keys(Object.values(statement.Condition)[0]) } : {}),
      }));
    const prefixes = ['<lake>/errors/*', '<lake>/raw/source=kinesis/*', ...(stage === 'prod' ? ['<lake>/backup/*'] : [])].sort();
    expect(firehose).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'], resources: ['<lake>'] },
        { actions: ['s3:ListBucket'], resources: ['<lake>'], condition: ['s3:prefix'] },
        { actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], resources: prefixes },
        { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [expect.stringMatching(/DataKey/)], condition: ['kms:ViaService'] },
        {
          actions: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
          resources: ['<DeliveryTransformFunction5E0C6455.Arn>', '<DeliveryTransformFunction5E0C6455.Arn>:*'],
        },
      ]),
    );
    const s3Actions = firehose.flatMap((s) => s.actions).filter((a) => a.startsWith('s3:'));
    expect([...new Set(s3Actions)].sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
    // Only the delivery role: the L2's own destination role, with its bucket-wide grant, is gone.
    const firehoseRoles = Object.entries(synthStage(stage).templates.ingest.findResources('AWS::IAM::Role')).filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('firehose.amazonaws.com'),
    );
    expect(firehoseRoles.map(([id]) => id)).toEqual(['DeliveryRole959799AB']);
  });

  test('reads of the CDK asset bucket name their objects: the Glue job its script and library, the host its generator, the Flink application its jar', () => {
    const assetReads = statements.filter(({ statement }) => list(statement.Resource).some((r) => r.includes('-assets-')));
    const objects = new Map<string, Set<string>>();
    for (const { stage, role, statement } of assetReads) {
      for (const r of list(statement.Resource).filter((x) => x.includes('-assets-') && x.includes('/'))) {
        expect(r).toMatch(/-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.\w+$/); // one key, no wildcard
        const key = `${stage}:${role}`;
        objects.set(key, (objects.get(key) ?? new Set()).add(r.split('.').pop()!));
      }
    }
    expect(Object.fromEntries([...objects].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      'dev:<EtlRole378F0859>': ['py', 'zip'],
      'prod:<EtlRole378F0859>': ['py', 'zip'],
      'dev:<LogHostRole523FFADC>': ['js'], // the demo generator, dev only
      'prod:<AnalyticsRole98C5B992>': ['jar'], // the stream analytics job, where realtime is on
    });
  });
});

describe('service roles', () => {
  const roles = (['dev', 'prod'] as const).flatMap((stage) =>
    Object.values(synthStage(stage).templates).flatMap((template) =>
      Object.entries(template.findResources('AWS::IAM::Role')).map(([id, role]) => ({
        stage,
        id,
        role: role.Properties as Record<string, unknown>,
      })),
    ),
  );

  const sourceAccountAndArn = (service: string, resource: string) => ({
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, service, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resource]],
      },
    },
  });

  test('each trusts one AWS service, with the confused-deputy conditions AWS documents for it', () => {
    const expected: Record<string, unknown> = {
      'firehose.amazonaws.com': { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
      'vpc-flow-logs.amazonaws.com': {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':vpc-flow-log/*'],
            ],
          },
        },
      },
      // The stream analytics application (prod) and its runner's waiter state machine.
      'kinesisanalytics.amazonaws.com': sourceAccountAndArn(':kinesisanalytics:', ':*'),
      'states.amazonaws.com': sourceAccountAndArn(':states:', ':stateMachine:*'),
    };
    const seen = new Set<string>();
    for (const { id, role } of roles) {
      const [statement, ...more] = (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
      expect({ id, more: more.length }).toEqual({ id, more: 0 });
      const service = (statement.Principal as { Service: string }).Service;
      seen.add(service);
      expect(SERVICE_TRUST_CONDITIONS[service]).toBeDefined();
      expect({ id, condition: statement.Condition }).toEqual({ id, condition: expected[service] });
    }
    expect([...seen].sort()).toEqual([
      'ec2.amazonaws.com',
      'firehose.amazonaws.com',
      'glue.amazonaws.com',
      'kinesisanalytics.amazonaws.com',
      'lambda.amazonaws.com',
      'states.amazonaws.com',
      'vpc-flow-logs.amazonaws.com',
    ]);
  });

  test('docs/security.md lists exactly the roles with AWS managed policies, and the policy', () => {
    const withManaged = new Map<string, Set<string>>();
    for (const { stage, role } of roles) {
      for (const arn of list(role.ManagedPolicyArns)) {
        const policy = arn.split('/').pop()!;
        const owner = JSON.stringify(role.AssumeRolePolicyDocument).includes('lambda') ? policy : `${policy} (not a Lambda)`;
        withManaged.set(owner, withManaged.get(owner) ?? new Set());
        withManaged.get(owner)!.add(stage);
      }
    }
    const customResources = (['dev', 'prod'] as const).flatMap((stage) =>
      Object.values(synthStage(stage).templates).flatMap((t) =>
        Object.keys(t.findResources('AWS::Lambda::Function'))
          .filter((id) => id.startsWith('Custom'))
          .map((id) => `${stage}:${id.replace(/CustomResourceProviderHandler\w+$/, '').replace(/^Custom/, '')}`),
      ),
    );
    const section = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
    const listed = [...section.matchAll(/^- `Custom::(\w+)` \(([a-z, ]+)\)/gm)].flatMap((m) =>
      m[2].split(/, ?/).map((stage) => `${stage}:${m[1]}`),
    );
    expect([...new Set(listed)].sort()).toEqual([...new Set(customResources)].sort());
    expect([...withManaged.keys()]).toEqual(['AWSLambdaBasicExecutionRole']);
    expect(section).toContain('`AWSLambdaBasicExecutionRole`');
  });
});
