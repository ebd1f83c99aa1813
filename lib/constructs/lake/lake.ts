import * as cdk from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LakeConfig } from './lake-config';
import { LAKE_PREFIXES } from '../../../contracts/lake-layout';

export interface LakeProps {
  /** Customer key for SSE-KMS on the lake bucket. */
  readonly encryptionKey: kms.IKey;
  /** Storage-class transitions and expirations. */
  readonly lifecycle: LakeConfig;
  /**
   * What happens to the buckets on `cdk destroy`. RETAIN keeps them (and versions the lake and its access
   * logs); DESTROY empties and deletes them (a CDK custom resource deletes the objects first), and the lake then
   * sends no server access logs (see `accessLogsBucket`).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * Days after which Athena query results are deleted.
   * @default 30
   */
  readonly athenaResultsExpireAfterDays?: number;
}

/**
 * The S3 lake: one bucket whose prefixes (contracts/lake-layout.ts) hold raw, curated, quarantine, error,
 * backup and Athena-result data, plus a bucket for its server access logs.
 *
 * One bucket rather than one per zone: every zone shares the key, the access logging and Block Public
 * Access, IAM scopes each reader and writer to its prefixes, and lifecycle rules filter by prefix.
 */
export class Lake extends Construct {
  public readonly bucket: s3.Bucket;
  /**
   * Server access logs of the lake, when its buckets are retained. S3 log delivery supports only SSE-S3 on its
   * target, so this bucket uses S3-managed keys; it holds request metadata, not log data.
   *
   * Undefined when the buckets are destroyed: S3 delivers server access logs "on a best-effort basis", most
   * "within a few hours", some "long after the request was actually processed", and changes to logging take
   * time to affect delivery (Amazon S3 User Guide, "Logging requests with server access logging",
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html). The records of destroy's own last
   * requests (the auto-delete handler emptying the lake) therefore arrive after the log bucket was emptied,
   * and its deletion fails with BucketNotEmpty; the deny-writes policy aws-cdk's handler puts on a bucket
   * before emptying it only narrows that window (bucket policies are eventually consistent). No ordering of
   * one destroy can wait hours, so a stage that destroys its buckets has no log target to be refilled.
   */
  public readonly accessLogsBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    const retain = removalPolicy !== cdk.RemovalPolicy.DESTROY;
    const removal = { removalPolicy, autoDeleteObjects: !retain };
    const { lifecycle } = props;

    this.accessLogsBucket = !retain
      ? undefined
      : new s3.Bucket(this, 'AccessLogsBucket', {
          encryption: s3.BucketEncryption.S3_MANAGED,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          enforceSSL: true,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
          // Audit records: versioned, so an overwrite or delete keeps the earlier version (checkov CKV_AWS_21).
          versioned: true,
          lifecycleRules: [
            { id: 'expire-access-logs', expiration: cdk.Duration.days(lifecycle.accessLogsExpireAfterDays) },
            // Expiry turns logs into noncurrent versions behind delete markers: remove both in time.
            { id: 'expire-noncurrent-access-logs', noncurrentVersionExpiration: cdk.Duration.days(30) },
            { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
            { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: cdk.Duration.days(7) },
          ],
          ...removal,
        });
    if (this.accessLogsBucket) {
      cdk.Validations.of(this.accessLogsBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This is the server access log bucket; logging it into itself would loop.',
      });
    }

    const rawTiering = (prefix: string, id: string): s3.LifecycleRule => ({
      id,
      prefix,
      transitions: [
        { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: cdk.Duration.days(lifecycle.rawInfrequentAccessAfterDays) },
        { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: cdk.Duration.days(lifecycle.rawGlacierAfterDays) },
      ],
      expiration: lifecycle.rawExpireAfterDays === undefined ? undefined : cdk.Duration.days(lifecycle.rawExpireAfterDays),
    });

    const curatedTiering = (prefix: string, id: string): s3.LifecycleRule => ({
      id,
      prefix,
      transitions: [
        {
          storageClass: s3.StorageClass.INFREQUENT_ACCESS,
          transitionAfter: cdk.Duration.days(lifecycle.curatedInfrequentAccessAfterDays),
        },
      ],
      expiration: lifecycle.curatedExpireAfterDays === undefined ? undefined : cdk.Duration.days(lifecycle.curatedExpireAfterDays),
    });

    this.bucket = new s3.Bucket(this, 'LakeBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of one KMS call per object: cheaper at Firehose's object rate.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: this.accessLogsBucket ? 'lake/' : undefined,
      // Retained (prod) lakes keep overwritten or deleted objects for a while: protection from mistakes.
      versioned: retain,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: cdk.Duration.days(7) },
        rawTiering(LAKE_PREFIXES.raw, 'tier-raw'),
        rawTiering(LAKE_PREFIXES.backup, 'tier-backup'),
        curatedTiering(LAKE_PREFIXES.curated, 'tier-curated'),
        // The stream analytics job's rows are derived and read like curated data: recent days most.
        curatedTiering(LAKE_PREFIXES.realtime, 'tier-realtime'),
        { id: 'expire-errors', prefix: LAKE_PREFIXES.errors, expiration: cdk.Duration.days(lifecycle.errorsExpireAfterDays) },
        {
          id: 'expire-athena-results',
          prefix: LAKE_PREFIXES.athenaResults,
          expiration: cdk.Duration.days(props.athenaResultsExpireAfterDays ?? 30),
        },
        { id: 'expire-glue-temp', prefix: LAKE_PREFIXES.glueTemp, expiration: cdk.Duration.days(7) },
        ...(retain ? [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: cdk.Duration.days(30) }] : []),
      ],
      ...removal,
    });
    if (!this.accessLogsBucket) {
      cdk.Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'A lake that cdk destroy deletes sends no server access logs: S3 delivers them best effort, hours late, so the records of the emptying would refill a log bucket deleted in the same destroy (see Lake.accessLogsBucket).',
      });
    }
  }
}
