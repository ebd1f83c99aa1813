import * as cdk from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataKey } from '../constructs/data-key/data-key';
import { IngestStream } from '../constructs/ingest-stream/ingest-stream';
import type { StreamConfig } from '../constructs/ingest-stream/ingest-stream-config';
import { Lake } from '../constructs/lake/lake';
import type { LakeConfig } from '../constructs/lake/lake-config';

export interface DataStackProps extends cdk.StackProps {
  readonly stream: StreamConfig;
  readonly lake: LakeConfig;
  /** What `cdk destroy` does with the key, the buckets and the stream (RETAIN in prod). */
  readonly removalPolicy: cdk.RemovalPolicy;
}

/**
 * The stateful half of the pipeline: the data key, the lake and the stream. Kept apart from the
 * stateless stacks so those can be replaced or destroyed freely without touching data.
 */
export class DataStack extends cdk.Stack {
  public readonly dataKey: kms.IKey;
  public readonly lakeBucket: s3.IBucket;
  /** The lake's server-access-log bucket; undefined when the stage destroys its buckets (Lake.accessLogsBucket says why). */
  public readonly accessLogsBucket?: s3.IBucket;
  public readonly stream: kinesis.IStream;
  /** The stream's construct, with the metrics an operator watches. */
  public readonly ingestStream: IngestStream;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { removalPolicy } = props;

    // Construct IDs of stateful resources are pinned by test/stacks/data-stack.test.ts: renaming one
    // replaces the resource, and with it the data.
    this.dataKey = new DataKey(this, 'DataKey', { removalPolicy }).key;
    const lake = new Lake(this, 'Lake', { encryptionKey: this.dataKey, lifecycle: props.lake, removalPolicy });
    this.lakeBucket = lake.bucket;
    this.accessLogsBucket = lake.accessLogsBucket;
    // The stream is deleted in every stage: its records are transient (lib/constructs/ingest-stream).
    this.ingestStream = new IngestStream(this, 'IngestStream', { encryptionKey: this.dataKey, config: props.stream });
    this.stream = this.ingestStream.stream;

    new cdk.CfnOutput(this, 'LakeBucketName', { value: this.lakeBucket.bucketName, description: 'The S3 lake' });
    new cdk.CfnOutput(this, 'StreamName', { value: this.stream.streamName, description: 'Kinesis stream the agent writes to' });
  }
}
