import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';
import { kafkaErrorPrefix, KAFKA_ERROR_OUTPUT_TYPES, LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards } from '../../nag';
import { PipelineFunction } from '../pipeline-function/pipeline-function';
import type { KafkaCluster } from './kafka-cluster';
import { addKafkaMapping } from './kafka-mapping';
import { CONSUMER_GROUP_ID, type KafkaConsumerConfig } from './kafka-config';

export interface KafkaConsumerProps {
  /** The cluster and its topics (KafkaStack.cluster). */
  readonly cluster: KafkaCluster;
  /** The topic the mapping reads. */
  readonly topicName: string;
  /** Batching, pollers and retries of the mapping. */
  readonly config: KafkaConsumerConfig;
  /** The lake: the consumer writes raw/source=kafka/ and errors/kafka-consumer-failed/ in it. */
  readonly lakeBucket: s3.IBucket;
  /** Where the mapping puts batches that still fail after its retries: the whole invocation record is kept. */
  readonly failedBatchesBucket: s3.IBucket;
  /** The data key: the lake's and the log group's. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * The stage's custom line formats (config `formats`), bundled into the consumer's asset and tried after the
   * built-in parsers.
   * @default none
   */
  readonly customFormats?: readonly CustomFormatDefinition[];
}

/**
 * The Kafka consumer (its metrics for the dashboard and alarms: lib/constructs/monitoring/kafka-metrics.ts): a TypeScript Lambda over the shared record core, invoked by an MSK event source
 * mapping in provisioned mode (so partial batch responses, bounded retries and bisection apply), starting
 * at TRIM_HORIZON, with an S3 on-failure destination that keeps the records (addKafkaMapping: the mapping
 * and what it needs of the role, scoped to this cluster, topic and consumer group).
 */
export class KafkaConsumer extends Construct {
  public readonly function: PipelineFunction;
  public readonly eventSourceMapping: lambda.CfnEventSourceMapping;
  /** The execution role of the function, which the mapping uses too. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const { cluster } = props;

    this.function = new PipelineFunction(this, 'Function', {
      functionDir: 'kafka-consumer',
      description: 'Kafka consumer: MSK batches into the lake as GZIP JSON lines in the record schema',
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { LAKE_BUCKET: props.lakeBucket.bucketName },
      timeout: cdk.Duration.minutes(2),
      customFormats: props.customFormats,
    });
    const fn = this.function.function;
    this.role = this.function.role;

    // The lake: new objects under the Kafka raw prefix and the consumer's error prefix, nothing read,
    // tagged or deleted (a retried batch overwrites its own deterministic key with PutObject).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          props.lakeBucket.arnForObjects(`${LAKE_PREFIXES.raw}source=kafka/*`),
          props.lakeBucket.arnForObjects(`${kafkaErrorPrefix(KAFKA_ERROR_OUTPUT_TYPES.consumerFailed)}*`),
        ],
      }),
    );
    // SSE-KMS PutObject asks KMS for a data key (the bucket key caches it).
    props.encryptionKey.grant(fn, 'kms:GenerateDataKey');

    this.eventSourceMapping = addKafkaMapping(this, {
      function: fn,
      cluster,
      topicName: props.topicName,
      groupId: CONSUMER_GROUP_ID,
      config: props.config,
      failedBatchesBucket: props.failedBatchesBucket,
    });

    acknowledgeIamWildcards(this, [
      {
        finding: /LakeBucket[0-9A-F]{8}.*\/(raw\/source=kafka|errors\/kafka-consumer-failed)\/\*$/,
        reason:
          'The consumer writes objects under generated keys of two lake prefixes only: raw/source=kafka/ and errors/kafka-consumer-failed/ (PutObject, no read, no delete).',
      },
    ]);
  }
}
