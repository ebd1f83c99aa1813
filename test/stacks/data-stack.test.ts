import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS } from '../../lib/config';
import { LAKE_PREFIXES } from '../../contracts/lake-layout';
import { synthStage } from '../helpers/app';

describe('data stack', () => {
  const dev = synthStage('dev').templates.data;
  const prod = synthStage('prod').templates.data;

  test('stateful resources keep their logical IDs (renaming one replaces it, and its data)', () => {
    for (const template of [dev, prod]) {
      const ids = (type: string) => Object.keys(template.findResources(type)).sort();
      expect(ids('AWS::KMS::Key')).toEqual(['DataKey2A0DE9E6']);
      // dev destroys its buckets and so has no access-log bucket (Lake.accessLogsBucket says why).
      expect(ids('AWS::S3::Bucket')).toEqual(
        template === prod ? ['LakeAccessLogsBucketD3286787', 'LakeLakeBucket24430E3D'] : ['LakeLakeBucket24430E3D'],
      );
      expect(ids('AWS::Kinesis::Stream')).toEqual(['IngestStreamB259CF51']);
    }
  });

  test("the data key rotates and lets only this account's CloudWatch log groups use it", () => {
    dev.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('the lake is SSE-KMS with the data key, bucket keys, Block Public Access and (prod) access logging', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey2A0DE9E6', 'Arn'] } },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: 'LakeAccessLogsBucketD3286787' }, LogFilePrefix: 'lake/' },
    });
  });

  test('the access-log bucket uses SSE-S3 (the only encryption S3 log delivery supports) and blocks public access', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  test('every bucket denies requests without TLS', () => {
    for (const template of [dev, prod]) {
      const policies = template.findResources('AWS::S3::BucketPolicy');
      expect(Object.keys(policies)).toHaveLength(Object.keys(template.findResources('AWS::S3::Bucket')).length);
      for (const policy of Object.values(policies)) {
        expect(policy.Properties.PolicyDocument.Statement).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        );
      }
    }
  });

  test('lifecycle: abort incomplete uploads, raw and backup tier to IA and Glacier IR per stage, curated to IA, errors expire', () => {
    for (const [template, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const lake = STAGE_CONFIGS[stage].lake;
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Id: 'abort-incomplete-uploads',
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
              Status: 'Enabled',
            }),
            Match.objectLike({
              Id: 'tier-raw',
              Prefix: LAKE_PREFIXES.raw,
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: lake.rawInfrequentAccessAfterDays },
                { StorageClass: 'GLACIER_IR', TransitionInDays: lake.rawGlacierAfterDays },
              ],
              ...(lake.rawExpireAfterDays === undefined ? {} : { ExpirationInDays: lake.rawExpireAfterDays }),
            }),
            Match.objectLike({ Id: 'tier-backup', Prefix: LAKE_PREFIXES.backup }),
            // S3 "Transitioning objects using Amazon S3 Lifecycle": Standard-IA takes objects after at least 30 days.
            Match.objectLike({
              Id: 'tier-curated',
              Prefix: LAKE_PREFIXES.curated,
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: lake.curatedInfrequentAccessAfterDays }],
              ...(lake.curatedExpireAfterDays === undefined ? {} : { ExpirationInDays: lake.curatedExpireAfterDays }),
            }),
            Match.objectLike({
              Id: 'tier-realtime',
              Prefix: LAKE_PREFIXES.realtime,
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: lake.curatedInfrequentAccessAfterDays }],
              ...(lake.curatedExpireAfterDays === undefined ? {} : { ExpirationInDays: lake.curatedExpireAfterDays }),
            }),
            Match.objectLike({ Id: 'expire-errors', Prefix: LAKE_PREFIXES.errors, ExpirationInDays: lake.errorsExpireAfterDays }),
          ]),
        },
      });
    }
  });

  test('prod never lets raw data expire; dev does', () => {
    const rawRule = (template: typeof dev) =>
      (
        template.findResources('AWS::S3::Bucket')['LakeLakeBucket24430E3D'].Properties.LifecycleConfiguration.Rules as Array<{
          Id: string;
          ExpirationInDays?: number;
        }>
      ).find((r) => r.Id === 'tier-raw');
    expect(rawRule(prod)?.ExpirationInDays).toBeUndefined();
    expect(rawRule(dev)?.ExpirationInDays).toBe(STAGE_CONFIGS.dev.lake.rawExpireAfterDays);
  });

  test("the stream is KMS-encrypted with the data key, in the stage's capacity mode and shards, with the stage retention", () => {
    // Provisioned in both stages, sized for their declared volume (dev 1 shard, prod 34 for 1 TB/day at a 3× peak).
    for (const [template, stage, shards] of [
      [dev, 'dev', 1],
      [prod, 'prod', 34],
    ] as const) {
      expect(STAGE_CONFIGS[stage].stream.capacity).toEqual({ mode: 'provisioned', shardCount: shards });
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': ['DataKey2A0DE9E6', 'Arn'] } },
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        ShardCount: shards,
        RetentionPeriodHours: STAGE_CONFIGS[stage].stream.retentionHours,
      });
    }
  });

  test('dev: cdk destroy deletes key, buckets (emptied first) and stream', () => {
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Kinesis::Stream']) {
      for (const resource of Object.values(dev.findResources(type))) expect(resource.DeletionPolicy).toBe('Delete');
    }
    dev.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    dev.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  test('prod: key and buckets are retained, the stream deleted, the lake is versioned, nothing is auto-emptied', () => {
    for (const stream of Object.values(prod.findResources('AWS::Kinesis::Stream'))) expect(stream.DeletionPolicy).toBe('Delete');
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket']) {
      for (const resource of Object.values(prod.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Retain');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
      }
    }
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    prod.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
  });

  test('the access-log bucket (prod) keeps versions: audit records survive an overwrite or delete (CKV_AWS_21)', () => {
    for (const template of [prod]) {
      const logs = template.findResources('AWS::S3::Bucket')['LakeAccessLogsBucketD3286787'];
      expect(logs.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const rules = logs.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          expect.objectContaining({ ExpiredObjectDeleteMarker: true }),
        ]),
      );
    }
  });

  test('no physical names are hard-coded', () => {
    for (const template of [dev, prod]) {
      for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.Properties.BucketName).toBeUndefined();
      for (const stream of Object.values(template.findResources('AWS::Kinesis::Stream'))) expect(stream.Properties.Name).toBeUndefined();
    }
  });
});
