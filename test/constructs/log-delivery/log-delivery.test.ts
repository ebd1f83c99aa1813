import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LogDelivery, type LogDeliveryProps } from '../../../lib/constructs/log-delivery/log-delivery';
import { firehoseErrorPrefix, firehoseRawPrefix } from '../../../contracts/lake-layout';
import { maxSafeProcessorBufferMiB } from '../../../contracts/limits';
import { projectApp } from '../../helpers/app';
import { expectLogGroup, freshStack, logicalIdOf, resourceOf } from '../../helpers/constructs';
import { actionsOf, asArray, iamStatements, resourcesOf, roleStatements } from '../../helpers/iam';

// One app for the file: its stacks share the asset cache, so the transform is bundled by esbuild once.
const app = projectApp();

/** A stack of its own with a key, a stream and a bucket for the delivery to join, as the data stack provides. */
function deliveryStack(id: string, props: Partial<LogDeliveryProps> = {}) {
  const stack = freshStack(app, id);
  const key = new kms.Key(stack, 'Key');
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
  const delivery = new LogDelivery(stack, 'Delivery', { sourceStream: stream, lakeBucket: bucket, encryptionKey: key, ...props });
  // As the ingest stack does: the Firehose L2 adds a CIDR mapping to the stack that this destination never reads.
  cdk.Validations.of(stack).acknowledge({
    id: 'CloudFormation-Validate::W7001',
    reason: "aws-cdk-lib's Firehose L2 regional CIDR mapping, unused here.",
  });
  return { stack, key, stream, bucket, delivery };
}

const defaults = deliveryStack('Defaults');
const custom = deliveryStack('Custom', {
  bufferingInterval: cdk.Duration.seconds(60),
  bufferingSize: cdk.Size.mebibytes(64),
  processorBufferSize: cdk.Size.mebibytes(1),
  processorBufferInterval: cdk.Duration.seconds(120),
  backupSourceRecords: true,
  logRetention: logs.RetentionDays.ONE_WEEK,
  removalPolicy: cdk.RemovalPolicy.DESTROY,
});
// Template.fromStack synthesizes the whole app, which must not change after: read the templates once both stacks exist.
const templates = { defaults: Template.fromStack(defaults.stack), custom: Template.fromStack(custom.stack) };

type Destination = Record<string, unknown> & {
  ProcessingConfiguration: { Processors: Array<{ Parameters: Array<{ ParameterName: string; ParameterValue: unknown }> }> };
};
const destinationOf = (template: Template): Destination =>
  Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties.ExtendedS3DestinationConfiguration;
const processorParameters = (template: Template) =>
  Object.fromEntries(
    destinationOf(template).ProcessingConfiguration.Processors[0].Parameters.map((p) => [p.ParameterName, p.ParameterValue]),
  );

/** The lake prefixes the exposed delivery role may write, as `<prefix>*` after the bucket ARN. */
const writablePrefixes = (template: Template, delivery: LogDelivery) =>
  roleStatements(template, logicalIdOf(delivery.role))
    .filter((s) => asArray(s.Action).includes('s3:PutObject'))
    .flatMap((s) => asArray(s.Resource))
    .map((r) => (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].at(-1))
    .sort();

describe('LogDelivery with its defaults', () => {
  const { stack, key, stream, bucket, delivery } = defaults;
  const template = templates.defaults;

  test('exposes the delivery stream, the transform and the Firehose log group', () => {
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    expect(Object.keys(template.findResources('AWS::KinesisFirehose::DeliveryStream'))).toEqual([logicalIdOf(delivery.deliveryStream)]);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([logicalIdOf(delivery.transform.function)]);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).sort()).toEqual(
      [logicalIdOf(delivery.logGroup), logicalIdOf(delivery.transform.logGroup)].sort(),
    );
  });

  test('reads the given sourceStream and writes GZIP objects under the raw and error prefixes of the lakeBucket', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: stack.resolve(stream.streamArn) },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: stack.resolve(bucket.bucketArn),
        Prefix: firehoseRawPrefix('kinesis'),
        ErrorOutputPrefix: firehoseErrorPrefix(),
        CompressionFormat: 'GZIP',
        FileExtension: '.json.gz',
      }),
    });
  });

  test('buffering defaults: 300 seconds or 5 MiB', () => {
    expect(destinationOf(template).BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 5 });
  });

  test(`processor defaults: the transform gets ${maxSafeProcessorBufferMiB()} MiB (what the 6 MB response cap allows) or 60 seconds, 3 retries`, () => {
    expect(processorParameters(template)).toEqual({
      LambdaArn: stack.resolve(delivery.transform.function.functionArn),
      BufferSizeInMBs: String(maxSafeProcessorBufferMiB()),
      BufferIntervalInSeconds: '60',
      NumberOfRetries: '3',
      RoleArn: expect.anything(),
    });
  });

  test('backupSourceRecords defaults to off: no backup configuration, and the role may not write backup/', () => {
    expect(destinationOf(template).S3BackupMode).toBeUndefined();
    expect(destinationOf(template).S3BackupConfiguration).toBeUndefined();
    expect(writablePrefixes(template, delivery)).toEqual(['/errors/*', '/raw/source=kinesis/*']);
  });

  test('Firehose reads the stream and writes the lake as the exposed role, its only role, with no delete', () => {
    const roleArn = stack.resolve(delivery.role.roleArn);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      KinesisStreamSourceConfiguration: { RoleARN: roleArn },
      ExtendedS3DestinationConfiguration: Match.objectLike({ RoleARN: roleArn }),
    });
    expect(
      Object.keys(
        template.findResources('AWS::IAM::Role', {
          Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'firehose.amazonaws.com' } })] } },
        }),
      ),
    ).toEqual([logicalIdOf(delivery.role)]);
    const actions = actionsOf(roleStatements(template, logicalIdOf(delivery.role)));
    expect(actions.filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
    expect(actions).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'lambda:InvokeFunction', 'logs:PutLogEvents', 's3:PutObject', 'kms:GenerateDataKey']),
    );
  });

  test('delivered objects are SSE-KMS with the given encryptionKey; Firehose logs to the exposed log group', () => {
    expect(destinationOf(template).EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: stack.resolve(key.keyArn) } });
    expect(destinationOf(template).CloudWatchLoggingOptions).toEqual({
      Enabled: true,
      LogGroupName: { Ref: logicalIdOf(delivery.logGroup) },
      // A stream of its own in that group per destination.
      LogStreamName: { Ref: expect.stringMatching(/^DeliveryLogGroupS3Destination/) },
    });
  });

  test('both log groups are encrypted with the encryptionKey, keep a month and are retained by default', () => {
    for (const group of [delivery.logGroup, delivery.transform.logGroup]) {
      expectLogGroup(template, group, { encryptionKey: key, retentionDays: 30, removalPolicy: cdk.RemovalPolicy.RETAIN });
    }
  });

  test('the transform has 3 minutes per call (Firehose waits up to 5) and may put records into the source stream only', () => {
    const fn = resourceOf(template, delivery.transform.function).Properties;
    expect(fn.Timeout).toBe(180);
    expect(fn.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('firehose-transform');
    const statements = roleStatements(template, logicalIdOf(delivery.transform.function.role!));
    expect(resourcesOf(statements, 'kinesis:PutRecords')).toEqual([stack.resolve(stream.streamArn)]);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).not.toContain('"*"');
  });

  test('no statement in the stack grants a kinesis write to anything but the source stream', () => {
    const writes = iamStatements(template).filter((s) => asArray(s.Action).some((a) => a.startsWith('kinesis:Put')));
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) expect(statement.Resource).toEqual(stack.resolve(stream.streamArn));
  });
});

describe('LogDelivery props', () => {
  const { stack, key, delivery } = custom;
  const template = templates.custom;

  test('bufferingInterval and bufferingSize set the buffering hints', () => {
    expect(destinationOf(template).BufferingHints).toEqual({ IntervalInSeconds: 60, SizeInMBs: 64 });
  });

  test('processorBufferSize and processorBufferInterval reach the Lambda processor', () => {
    expect(processorParameters(template)).toMatchObject({ BufferSizeInMBs: '1', BufferIntervalInSeconds: '120' });
  });

  test('backupSourceRecords lets the delivery role write backup/ too', () => {
    expect(writablePrefixes(template, delivery)).toEqual(['/backup/*', '/errors/*', '/raw/source=kinesis/*']);
  });

  test('backupSourceRecords keeps every source record under backup/, GZIP and SSE-KMS, logged to the same group', () => {
    expect(destinationOf(template)).toMatchObject({
      S3BackupMode: 'Enabled',
      S3BackupConfiguration: {
        BucketARN: stack.resolve(custom.bucket.bucketArn),
        Prefix: 'backup/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'backup/errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: stack.resolve(key.keyArn) } },
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: logicalIdOf(delivery.logGroup) } },
      },
    });
  });

  test('logRetention and removalPolicy DESTROY reach both log groups', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    for (const group of [delivery.logGroup, delivery.transform.logGroup]) {
      expectLogGroup(template, group, { encryptionKey: key, retentionDays: 7, removalPolicy: cdk.RemovalPolicy.DESTROY });
    }
  });
});
