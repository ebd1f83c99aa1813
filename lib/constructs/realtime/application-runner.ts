import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesisanalytics from 'aws-cdk-lib/aws-kinesisanalyticsv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { QUERY_INTERVAL_SECONDS, TOTAL_TIMEOUT_MINUTES } from '../../../lambda/realtime-runner/runner';
import { acknowledgeIamWildcards } from '../../nag';
import { PipelineFunction } from '../pipeline-function/pipeline-function';

/** The custom resource's type in the template. */
export const RUNNER_RESOURCE_TYPE = 'Custom::RealtimeApplicationRunner';

/**
 * The Managed Service for Apache Flink actions each runner function calls, all on the `application` resource type
 * (ARN arn:${Partition}:kinesisanalytics:${Region}:${Account}:application/${ApplicationName}): "Actions, resources,
 * and condition keys for Amazon Kinesis Analytics V2", Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisanalyticsv2.html
 */
export const RUNNER_ACTIONS = {
  onEvent: [
    'kinesisanalytics:DescribeApplication',
    'kinesisanalytics:ListApplicationSnapshots',
    'kinesisanalytics:StartApplication',
    'kinesisanalytics:StopApplication',
  ],
  // isComplete also starts an application onEvent found in a change of its own, once it is READY.
  isComplete: [
    'kinesisanalytics:DescribeApplication',
    'kinesisanalytics:ListApplicationSnapshots',
    'kinesisanalytics:StartApplication',
    'kinesisanalytics:StopApplication',
  ],
} as const;

export interface ApplicationRunnerProps {
  /** The application to start on create and stop on delete. */
  readonly application: kinesisanalytics.CfnApplication;
  /** Its logging option: the application starts only once its log is attached, and stops before it is removed. */
  readonly logging: kinesisanalytics.CfnApplicationCloudWatchLoggingOption;
  /** The application's log group, named in failure messages. */
  readonly applicationLogGroup: logs.ILogGroup;
  /** Encrypts the runner's log groups. */
  readonly encryptionKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What `cdk destroy` does with the runner's log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/**
 * A custom resource that starts the stream analytics application on create and stops it on delete (Force false,
 * so MSF takes a snapshot, unless it is not RUNNING or the stop takes more than 10 minutes), through aws-cdk-lib's Provider framework: the runner's onEvent begins, its
 * isComplete polls every 30 s, for 30 minutes at most (lambda/realtime-runner/runner.ts).
 */
export class ApplicationRunner extends Construct {
  public readonly resource: cdk.CustomResource;
  public readonly provider: cr.Provider;
  public readonly onEventFunction: PipelineFunction;
  public readonly isCompleteFunction: PipelineFunction;
  /** The framework's own functions' log group. */
  public readonly frameworkLogGroup: logs.LogGroup;
  /** The application's ARN, the only resource the runner's roles may act on. */
  public readonly applicationArn: string;

  constructor(scope: Construct, id: string, props: ApplicationRunnerProps) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.applicationArn = stack.formatArn({ service: 'kinesisanalytics', resource: 'application', resourceName: props.application.ref });

    const runnerFunction = (name: 'onEvent' | 'isComplete', description: string) => {
      const fn = new PipelineFunction(this, name === 'onEvent' ? 'OnEvent' : 'IsComplete', {
        functionDir: 'realtime-runner',
        handlerExport: name,
        description,
        encryptionKey: props.encryptionKey,
        logRetention,
        removalPolicy,
        memorySize: 256,
        timeout: cdk.Duration.minutes(1),
      });
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...RUNNER_ACTIONS[name]], resources: [this.applicationArn] }));
      return fn;
    };
    this.onEventFunction = runnerFunction('onEvent', 'Custom resource: starts the stream analytics application, or stops it on delete');
    this.isCompleteFunction = runnerFunction(
      'isComplete',
      'Custom resource: whether the stream analytics application is RUNNING, or READY on delete',
    );

    // The framework's functions get roles of their own without AWSLambdaBasicExecutionRole (the app's roles use no
    // AWS managed policy): each may write the framework's one encrypted log group.
    this.frameworkLogGroup = new logs.LogGroup(this, 'FrameworkLogGroup', {
      retention: logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    const frameworkRole = (roleId: string, description: string) => {
      const role = new iam.Role(this, roleId, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
      this.frameworkLogGroup.grantWrite(role);
      return role;
    };
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction.function,
      isCompleteHandler: this.isCompleteFunction.function,
      queryInterval: cdk.Duration.seconds(QUERY_INTERVAL_SECONDS),
      totalTimeout: cdk.Duration.minutes(TOTAL_TIMEOUT_MINUTES),
      logGroup: this.frameworkLogGroup,
      // The framework logs each request and what the runner answered (its default, FATAL, logs nothing).
      frameworkLambdaLoggingLevel: lambda.ApplicationLogLevel.INFO,
      // Two roles: the framework refuses one shared by onEvent and isComplete/onTimeout (a dependency cycle).
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole', 'Provider framework onEvent function of the stream analytics runner'),
      frameworkCompleteAndTimeoutRole: frameworkRole(
        'FrameworkCompleteRole',
        'Provider framework isComplete and onTimeout functions of the stream analytics runner',
      ),
    });

    this.resource = new cdk.CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: RUNNER_RESOURCE_TYPE,
      properties: { ApplicationName: props.application.ref, LogGroupName: props.applicationLogGroup.logGroupName },
    });
    // After the application and its logging option on create (so it starts with its log), before them on delete.
    this.resource.node.addDependency(props.application, props.logging);

    acknowledgeIamWildcards(this, [
      {
        finding: /^Resource::<.*Runner(OnEventFunction|IsCompleteFunction|Providerframework\w+)[0-9A-F]{8}\.Arn>:\*$/,
        reason: "Provider framework: lambda:InvokeFunction on the runner's and the framework's own functions and their versions only.",
      },
      { finding: /^Resource::<.*FrameworkLogGroup[0-9A-F]{8}\.Arn>:\*$/, reason: "The framework's own log group's streams only." },
    ]);
    // The framework's waiter state machine has one state, the isComplete poll, whose functions log every call and
    // outcome to their own log groups; its execution history adds nothing, and X-Ray would trace a 30 s poll.
    const waiter = this.provider.node
      .findAll()
      .find((node) => node instanceof cdk.CfnResource && node.cfnResourceType === 'AWS::StepFunctions::StateMachine');
    if (!waiter) throw new Error("aws-cdk-lib's Provider no longer makes a waiter state machine: review the acknowledgments below");
    cdk.Validations.of(waiter).acknowledge(
      {
        id: 'AwsSolutions-SF1',
        reason: "The Provider framework's waiter: its one state is the isComplete poll, whose functions log every call and its outcome.",
      },
      {
        id: 'AwsSolutions-SF2',
        reason: "The Provider framework's waiter: one Lambda poll every 30 s for at most 30 minutes, on create and delete only.",
      },
    );
  }
}
