import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS } from '../../lib/config';
import { firehoseErrorPrefix, firehoseRawPrefix } from '../../contracts/lake-layout';
import { synthStage } from '../helpers/app';
import { asArray, expectNoWildcardActions, iamStatements } from '../helpers/iam';

describe('ingest stack', () => {
  const dev = synthStage('dev').templates.ingest;
  const prod = synthStage('prod').templates.ingest;

  test('Firehose reads the Kinesis stream and writes GZIP objects under the Hive-style raw prefix', () => {
    dev.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: Match.anyValue(), RoleARN: Match.anyValue() },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: firehoseRawPrefix('kinesis'),
        ErrorOutputPrefix: firehoseErrorPrefix(),
        CompressionFormat: 'GZIP',
        FileExtension: '.json.gz',
      }),
    });
    // The prefixes Athena projects over: literal, so a change to lake-layout is a reviewed change here too.
    expect(firehoseRawPrefix('kinesis')).toBe('raw/source=kinesis/dt=!{timestamp:yyyy-MM-dd}/');
    expect(firehoseErrorPrefix()).toBe('errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
  });

  test.each(['dev', 'prod'] as const)('%s: buffering hints and the processor buffer come from the stage config', (stage) => {
    const delivery = STAGE_CONFIGS[stage].delivery;
    synthStage(stage).templates.ingest.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: delivery.bufferIntervalSeconds, SizeInMBs: delivery.bufferSizeMiB },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                { ParameterName: 'LambdaArn', ParameterValue: Match.anyValue() },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: String(delivery.processorBufferIntervalSeconds) },
                { ParameterName: 'BufferSizeInMBs', ParameterValue: String(delivery.processorBufferSizeMiB) },
              ]),
            },
          ],
        },
      }),
    });
  });

  test('delivered objects are SSE-KMS with the data key and Firehose logs to its own log group', () => {
    dev.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: Match.anyValue(), LogStreamName: Match.anyValue() },
      }),
    });
  });

  test('prod backs up every source record under backup/, dev does not', () => {
    prod.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        S3BackupMode: 'Enabled',
        S3BackupConfiguration: Match.objectLike({ Prefix: 'backup/dt=!{timestamp:yyyy-MM-dd}/', CompressionFormat: 'GZIP' }),
      }),
    });
    dev.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ S3BackupMode: Match.absent(), S3BackupConfiguration: Match.absent() }),
    });
  });

  test('the transform runs Node.js 24 on ARM64 and logs JSON to its own log group', () => {
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'firehose-transform', NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  test.each(['dev', 'prod'] as const)('%s: every log group is KMS-encrypted with the stage retention', (stage) => {
    const logGroups = synthStage(stage).templates.ingest.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(logGroups)).toHaveLength(2);
    for (const group of Object.values(logGroups)) {
      expect(group.Properties.KmsKeyId).toBeDefined();
      expect(group.Properties.RetentionInDays).toBe(STAGE_CONFIGS[stage].logRetentionDays);
      expect(group.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
    }
  });

  test('no IAM statement grants a bare * action or a service-wide action', () => {
    for (const template of [dev, prod]) expectNoWildcardActions(template);
  });

  test('no IAM statement names Resource "*" (everything here has an ARN)', () => {
    for (const template of [dev, prod]) {
      for (const statement of iamStatements(template)) expect(asArray(statement.Resource)).not.toContain('*');
    }
  });

  test('the transform may put records only into the source stream (re-ingest of overflow)', () => {
    const statements = iamStatements(dev).filter((s) => asArray(s.Action).includes('kinesis:PutRecords'));
    expect(statements).toHaveLength(1);
    const resource = statements[0].Resource as { 'Fn::ImportValue': string };
    expect(resource['Fn::ImportValue']).toMatch(/^LogPipeline-dev-Data:ExportsOutputFnGetAttIngestStream[0-9A-F]{8}Arn/);
  });
});
