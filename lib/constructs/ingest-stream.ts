import * as cdk from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StreamConfig } from './ingest-stream-config';

export interface IngestStreamProps {
  /** Customer key that encrypts the stream (and so covers Firehose reading from it). */
  readonly encryptionKey: kms.IKey;
  /** Capacity mode and retention. */
  readonly config: StreamConfig;
  /**
   * What happens to the stream on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/** The Kinesis Data Stream the log agent writes to: KMS-encrypted, on-demand unless a shard count is set. */
export class IngestStream extends Construct {
  public readonly stream: kinesis.Stream;

  constructor(scope: Construct, id: string, props: IngestStreamProps) {
    super(scope, id);
    const { capacity, retentionHours } = props.config;
    this.stream = new kinesis.Stream(this, 'Stream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.encryptionKey,
      retentionPeriod: cdk.Duration.hours(retentionHours),
      ...(capacity.mode === 'provisioned'
        ? { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: capacity.shardCount }
        : { streamMode: kinesis.StreamMode.ON_DEMAND }),
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });
    cdk.Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer key by design: one key policy governs stream, lake and logs, and key usage is auditable per principal in CloudTrail; the added KMS cost is accepted.',
    });
  }
}
