import * as cdk from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { GlueEtl } from '../constructs/glue-etl';
import type { IngestStream } from '../constructs/ingest-stream';
import type { LogDelivery } from '../constructs/log-delivery';
import type { LogHost } from '../constructs/log-host';
import { Monitoring, type KafkaMonitoringProps, type MonitoringConfig } from '../constructs/monitoring';

export interface MonitoringStackProps extends cdk.StackProps {
  readonly stream: IngestStream;
  readonly delivery: LogDelivery;
  readonly host: LogHost;
  readonly etl: GlueEtl;
  /** @default - no Kafka widgets or alarms */
  readonly kafka?: KafkaMonitoringProps;
  /** The data key (DataStack.dataKey): encrypts the alarm topic. */
  readonly encryptionKey: kms.IKey;
  readonly config: MonitoringConfig;
}

/** Stateless, composed last: the dashboard, the alarms and the topic they notify, over every other stack. */
export class MonitoringStack extends cdk.Stack {
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.monitoring = new Monitoring(this, 'Monitoring', props);
    new cdk.CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'aws sns subscribe --protocol email --topic-arn <this>' });
    new cdk.CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard of the whole chain' });
  }
}
