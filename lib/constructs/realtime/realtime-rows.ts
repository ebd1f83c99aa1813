import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KAFKA_ERROR_OUTPUT_TYPES, kafkaErrorPrefix, LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards } from '../../nag';
import type { KafkaCluster } from '../kafka/kafka-cluster';
import type { KafkaConsumerConfig } from '../kafka/kafka-config';
import { addKafkaMapping } from '../kafka/kafka-mapping';
import { PipelineFunction } from '../pipeline-function/pipeline-function';

/**
 * The mapping's consumer group: fixed, so offsets survive a replaced mapping. Apart from the job's and the lake
 * consumer's: a group ID must be unique among the Kafka event sources, and one with other active consumers gets
 * only a portion of the messages ("Customizable consumer group ID in Lambda",
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html; test/deploy/kafka-groups.test.ts).
 */
export const REALTIME_ROWS_GROUP_ID = 'log-pipeline-realtime-rows';

/**
 * The mapping's batching. The job's rows are few (one per dimension key per minute) and come in a burst at each
 * checkpoint that commits them (what an uncommitted read may add: lambda/realtime-rows/rows.ts): one poller, and a batching window of a minute, so
 * each invocation writes about one object per kind and hour.
 */
export const REALTIME_ROWS_MAPPING: KafkaConsumerConfig = {
  batchSize: 10_000,
  maximumBatchingWindowSeconds: 60,
  minimumPollers: 1,
  maximumPollers: 1,
  retryAttempts: 10,
};

export interface RealtimeRowsProps {
  /** The cluster of the job's output topic. */
  readonly cluster: KafkaCluster;
  /** The job's output topic (contracts/realtime.ts REALTIME_TOPICS.output). */
  readonly topic: string;
  /** The lake: the function writes realtime/ and errors/realtime-rows-failed/ in it. */
  readonly lakeBucket: s3.IBucket;
  /** Where the mapping puts batches that still fail after its retries (the Kafka stack's FailedBatchesBucket). */
  readonly failedBatchesBucket: s3.IBucket;
  /** The data key: the lake's and the log group's. */
  readonly encryptionKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/**
 * The stream analytics job's rows into the lake: the realtime-rows function (lambda/realtime-rows), invoked by an
 * MSK event source mapping on the job's output topic with its own consumer group, as the Kafka consumer is
 * (addKafkaMapping), writing GZIP JSON lines under realtime/kind=/dt=/hour=/ that the Glue table
 * `realtime_rows` reads (LakeCatalog `realtimeTable`).
 */
export class RealtimeRows extends Construct {
  public readonly function: PipelineFunction;
  public readonly eventSourceMapping: lambda.CfnEventSourceMapping;
  /** The execution role of the function, which the mapping uses too. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: RealtimeRowsProps) {
    super(scope, id);

    this.function = new PipelineFunction(this, 'Function', {
      functionDir: 'realtime-rows',
      description: "Realtime rows: the stream analytics job's per-minute rows into the lake as GZIP JSON lines",
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { LAKE_BUCKET: props.lakeBucket.bucketName },
      timeout: cdk.Duration.minutes(2),
      memorySize: 512,
    });
    const fn = this.function.function;
    this.role = this.function.role;

    // The lake: new objects under realtime/ and the function's error prefix, nothing read, tagged or deleted
    // (a retried batch overwrites its own deterministic key with PutObject).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          props.lakeBucket.arnForObjects(`${LAKE_PREFIXES.realtime}*`),
          props.lakeBucket.arnForObjects(`${kafkaErrorPrefix(KAFKA_ERROR_OUTPUT_TYPES.realtimeRowsFailed)}*`),
        ],
      }),
    );
    // SSE-KMS PutObject asks KMS for a data key (the bucket key caches it).
    props.encryptionKey.grant(fn, 'kms:GenerateDataKey');

    this.eventSourceMapping = addKafkaMapping(this, {
      function: fn,
      cluster: props.cluster,
      topicName: props.topic,
      groupId: REALTIME_ROWS_GROUP_ID,
      config: REALTIME_ROWS_MAPPING,
      failedBatchesBucket: props.failedBatchesBucket,
    });

    acknowledgeIamWildcards(this, [
      {
        finding: /LakeBucket[0-9A-F]{8}.*\/(realtime|errors\/realtime-rows-failed)\/\*$/,
        reason:
          'The function writes objects under generated keys of two lake prefixes only: realtime/ and errors/realtime-rows-failed/ (PutObject, no read, no delete).',
      },
    ]);
  }
}
