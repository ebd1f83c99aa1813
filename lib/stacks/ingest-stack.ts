import * as cdk from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';
import { LogDelivery } from '../constructs/log-delivery/log-delivery';
import type { DeliveryConfig } from '../constructs/log-delivery/log-delivery-config';

export interface IngestStackProps extends cdk.StackProps {
  readonly stream: kinesis.IStream;
  readonly lakeBucket: s3.IBucket;
  /** The data key (DataStack.dataKey): delivered objects and the log groups. */
  readonly encryptionKey: kms.IKey;
  readonly delivery: DeliveryConfig;
  readonly logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the log groups (RETAIN in prod). */
  readonly removalPolicy: cdk.RemovalPolicy;
  /** The stage's custom line formats (config `formats`). @default none */
  readonly customFormats?: readonly CustomFormatDefinition[];
}

/** Stateless: Firehose and its transform Lambda, from the stream into the lake. */
export class IngestStack extends cdk.Stack {
  public readonly delivery: LogDelivery;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    const { delivery } = props;
    this.delivery = new LogDelivery(this, 'Delivery', {
      sourceStream: props.stream,
      lakeBucket: props.lakeBucket,
      encryptionKey: props.encryptionKey,
      bufferingInterval: cdk.Duration.seconds(delivery.bufferIntervalSeconds),
      bufferingSize: cdk.Size.mebibytes(delivery.bufferSizeMiB),
      processorBufferSize: cdk.Size.mebibytes(delivery.processorBufferSizeMiB),
      processorBufferInterval: cdk.Duration.seconds(delivery.processorBufferIntervalSeconds),
      backupSourceRecords: delivery.backupSourceRecords,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      customFormats: props.customFormats,
    });
    cdk.Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: "aws-cdk-lib's Firehose L2 always adds its regional CIDR mapping; it is only read by destinations this stack does not use.",
    });
    new cdk.CfnOutput(this, 'DeliveryStreamName', { value: this.delivery.deliveryStream.deliveryStreamName });
    new cdk.CfnOutput(this, 'TransformFunctionName', { value: this.delivery.transform.function.functionName });
  }
}
