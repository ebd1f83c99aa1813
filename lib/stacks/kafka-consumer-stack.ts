import * as cdk from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';
import { KafkaConsumer, type KafkaCluster, type KafkaConsumerConfig } from '../constructs/kafka';

export interface KafkaConsumerStackProps extends cdk.StackProps {
  readonly cluster: KafkaCluster;
  readonly topicName: string;
  readonly config: KafkaConsumerConfig;
  readonly lakeBucket: s3.IBucket;
  readonly failedBatchesBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the consumer's log group. */
  readonly removalPolicy: cdk.RemovalPolicy;
  /** The stage's custom line formats (config `formats`). @default none */
  readonly customFormats?: readonly CustomFormatDefinition[];
  /** The records topic the consumer publishes to (KafkaConsumerProps.recordsTopic). @default no publishing */
  readonly recordsTopic?: string;
  /** The brokers' VPC; required with `recordsTopic`. @default none */
  readonly vpc?: ec2.IVpc;
  /** Its private subnets; required with `recordsTopic`. @default none */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * Stateless: the consumer Lambda and its event source mapping, from the log topic into the lake, and with
 * `recordsTopic` on to the records topic.
 */
export class KafkaConsumerStack extends cdk.Stack {
  public readonly consumer: KafkaConsumer;

  constructor(scope: Construct, id: string, props: KafkaConsumerStackProps) {
    super(scope, id, props);
    this.consumer = new KafkaConsumer(this, 'Consumer', {
      cluster: props.cluster,
      topicName: props.topicName,
      config: props.config,
      lakeBucket: props.lakeBucket,
      failedBatchesBucket: props.failedBatchesBucket,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      customFormats: props.customFormats,
      recordsTopic: props.recordsTopic,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
    });
    new cdk.CfnOutput(this, 'KafkaConsumerFunctionName', { value: this.consumer.function.function.functionName });
    new cdk.CfnOutput(this, 'KafkaEventSourceMappingId', {
      value: this.consumer.eventSourceMapping.ref,
      description: 'aws lambda get-event-source-mapping --uuid <this>',
    });
  }
}
