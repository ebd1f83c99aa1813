import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Lake, type LakeProps } from '../../../lib/constructs/lake/lake';
import type { LakeConfig } from '../../../lib/constructs/lake/lake-config';
import { LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { freshStack, logicalIdOf } from '../../helpers/constructs';

/** Lifecycle days unlike any stage's, so each assertion shows the construct reads its props. */
const LIFECYCLE: LakeConfig = {
  rawInfrequentAccessAfterDays: 31,
  rawGlacierAfterDays: 95,
  rawExpireAfterDays: 400,
  curatedInfrequentAccessAfterDays: 63,
  curatedExpireAfterDays: 500,
  errorsExpireAfterDays: 11,
  accessLogsExpireAfterDays: 12,
};

function lakeStack(props: Partial<LakeProps> = {}) {
  const stack = freshStack();
  const key = new kms.Key(stack, 'Key');
  const lake = new Lake(stack, 'Lake', { encryptionKey: key, lifecycle: LIFECYCLE, ...props });
  return { stack, key, lake, template: Template.fromStack(stack) };
}

const rulesOf = (template: Template, logicalId: string) =>
  template.findResources('AWS::S3::Bucket')[logicalId].Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;

describe('Lake with its defaults', () => {
  const { stack, key, lake, template } = lakeStack();
  const lakeId = logicalIdOf(lake.bucket);
  const logsId = logicalIdOf(lake.accessLogsBucket!);

  test('exposes the lake bucket and its access-log bucket, the only two buckets', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(lakeId).toMatch(/^LakeLakeBucket/);
    expect(logsId).toMatch(/^LakeAccessLogsBucket/);
  });

  test('removalPolicy defaults to RETAIN: both buckets kept, the lake versioned, nothing auto-emptied', () => {
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    expect(rulesOf(template, lakeId)).toContainEqual({
      Id: 'expire-noncurrent-versions',
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      Status: 'Enabled',
    });
  });

  test('the lake is SSE-KMS with the given encryptionKey and bucket keys, logging its access under lake/', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(key.keyArn) },
          },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'lake/' },
    });
  });

  test('the access-log bucket uses SSE-S3 (all S3 log delivery supports) and expires logs after lifecycle.accessLogsExpireAfterDays', () => {
    const logs = template.findResources('AWS::S3::Bucket')[logsId].Properties;
    expect(logs.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(logs.LoggingConfiguration).toBeUndefined();
    expect(rulesOf(template, logsId)).toContainEqual({
      Id: 'expire-access-logs',
      ExpirationInDays: LIFECYCLE.accessLogsExpireAfterDays,
      Status: 'Enabled',
    });
  });

  test('both buckets block public access, enforce bucket-owner ownership and deny plain HTTP', () => {
    for (const id of [lakeId, logsId]) {
      const bucket = template.findResources('AWS::S3::Bucket')[id].Properties;
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('lifecycle: raw/ and backup/ tier to IA and Glacier IR and expire, curated/ and realtime/ to IA and expire, errors/ expire, each from the lifecycle prop', () => {
    const tiering = (id: string, prefix: string) => ({
      Id: id,
      Prefix: prefix,
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: LIFECYCLE.rawInfrequentAccessAfterDays },
        { StorageClass: 'GLACIER_IR', TransitionInDays: LIFECYCLE.rawGlacierAfterDays },
      ],
      ExpirationInDays: LIFECYCLE.rawExpireAfterDays,
    });
    expect(rulesOf(template, lakeId)).toEqual(
      expect.arrayContaining([
        { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
        tiering('tier-raw', LAKE_PREFIXES.raw),
        tiering('tier-backup', LAKE_PREFIXES.backup),
        {
          Id: 'tier-curated',
          Prefix: LAKE_PREFIXES.curated,
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: LIFECYCLE.curatedInfrequentAccessAfterDays }],
          ExpirationInDays: LIFECYCLE.curatedExpireAfterDays,
        },
        {
          Id: 'tier-realtime',
          Prefix: LAKE_PREFIXES.realtime,
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: LIFECYCLE.curatedInfrequentAccessAfterDays }],
          ExpirationInDays: LIFECYCLE.curatedExpireAfterDays,
        },
        { Id: 'expire-errors', Prefix: LAKE_PREFIXES.errors, ExpirationInDays: LIFECYCLE.errorsExpireAfterDays, Status: 'Enabled' },
        { Id: 'expire-glue-temp', Prefix: LAKE_PREFIXES.glueTemp, ExpirationInDays: 7, Status: 'Enabled' },
      ]),
    );
  });

  test('athenaResultsExpireAfterDays defaults to 30', () => {
    expect(rulesOf(template, lakeId)).toContainEqual({
      Id: 'expire-athena-results',
      Prefix: LAKE_PREFIXES.athenaResults,
      ExpirationInDays: 30,
      Status: 'Enabled',
    });
  });
});

describe('Lake with removalPolicy DESTROY', () => {
  const { lake, template } = lakeStack({ removalPolicy: cdk.RemovalPolicy.DESTROY });
  const lakeId = logicalIdOf(lake.bucket);

  test('the lake is deleted on cdk destroy, emptied first by autoDeleteObjects', () => {
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: lakeId } });
  });

  test('no server access logs and no access-log bucket: late log deliveries would refill a target that the same destroy deletes', () => {
    expect(lake.accessLogsBucket).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(template.findResources('AWS::S3::Bucket')[lakeId].Properties.LoggingConfiguration).toBeUndefined();
  });

  test('the lake is not versioned and has no noncurrent-version rule', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(buckets[lakeId].Properties.VersioningConfiguration).toBeUndefined();
    expect(rulesOf(template, lakeId).map((r) => r.Id)).not.toContain('expire-noncurrent-versions');
  });
});

describe('Lake props that change the lifecycle', () => {
  test('athenaResultsExpireAfterDays sets the expiry of athena-results/', () => {
    const { lake, template } = lakeStack({ athenaResultsExpireAfterDays: 3 });
    expect(rulesOf(template, logicalIdOf(lake.bucket))).toContainEqual({
      Id: 'expire-athena-results',
      Prefix: LAKE_PREFIXES.athenaResults,
      ExpirationInDays: 3,
      Status: 'Enabled',
    });
  });

  test('without rawExpireAfterDays raw/ and backup/ objects are kept forever (tiered, never expired)', () => {
    const { lake, template } = lakeStack({ lifecycle: { ...LIFECYCLE, rawExpireAfterDays: undefined } });
    const tiers = rulesOf(template, logicalIdOf(lake.bucket)).filter((r) => r.Id === 'tier-raw' || r.Id === 'tier-backup');
    expect(tiers).toHaveLength(2);
    for (const rule of tiers) {
      expect(rule.ExpirationInDays).toBeUndefined();
      expect(rule.Transitions).toHaveLength(2);
    }
  });

  test('without curatedExpireAfterDays curated/ objects are kept forever in Standard-IA', () => {
    const { lake, template } = lakeStack({ lifecycle: { ...LIFECYCLE, curatedExpireAfterDays: undefined } });
    const rule = rulesOf(template, logicalIdOf(lake.bucket)).find((r) => r.Id === 'tier-curated');
    expect(rule?.ExpirationInDays).toBeUndefined();
    expect(rule?.Transitions).toEqual([{ StorageClass: 'STANDARD_IA', TransitionInDays: LIFECYCLE.curatedInfrequentAccessAfterDays }]);
  });
});
