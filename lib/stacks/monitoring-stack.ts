import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Monitoring, type MonitoringProps } from '../constructs/monitoring';

/** The Monitoring construct's props: every stack's watched resources (the optional Kafka path and stream analytics application included), the data key, the thresholds. */
export interface MonitoringStackProps extends cdk.StackProps, MonitoringProps {}

/** Stateless, composed last: the dashboard, the alarms and the topic they notify, over every other stack. */
export class MonitoringStack extends cdk.Stack {
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.monitoring = new Monitoring(this, 'Monitoring', props);
    new cdk.CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'aws sns subscribe --protocol email --topic-arn <this>',
    });
    new cdk.CfnOutput(this, 'DashboardName', {
      value: this.monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard of the whole chain',
    });
  }
}
