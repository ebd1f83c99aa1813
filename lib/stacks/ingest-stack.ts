import * as cdk from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DeliveryConfig } from '../config';
import { LogDelivery } from '../constructs/log-delivery';

export interface IngestStackProps extends cdk.StackProps {
  readonly stream: kinesis.IStream;
  readonly lakeBucket: s3.IBucket;
  readonly dataKey: kms.IKey;
  readonly delivery: DeliveryConfig;
  readonly logRetentionDays: number;
}

/** Stateless: Firehose and its transform Lambda, from the stream into the lake. */
export class IngestStack extends cdk.Stack {
  public readonly delivery: LogDelivery;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    this.delivery = new LogDelivery(this, 'Delivery', {
      sourceStream: props.stream,
      lakeBucket: props.lakeBucket,
      encryptionKey: props.dataKey,
      config: props.delivery,
      logRetentionDays: props.logRetentionDays,
    });
    cdk.Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: "aws-cdk-lib's Firehose L2 always adds its regional CIDR mapping; it is only read by destinations this stack does not use.",
    });
    new cdk.CfnOutput(this, 'DeliveryStreamName', { value: this.delivery.deliveryStream.deliveryStreamName });
    new cdk.CfnOutput(this, 'TransformFunctionName', { value: this.delivery.transform.function.functionName });
  }
}
