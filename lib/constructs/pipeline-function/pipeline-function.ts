import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { bundleFunction, functionEntries, functionEnvironment, LAMBDA_NODE_MAJOR, METRICS_NAMESPACE } from '../../lambda-bundling';
import { SERVICE_DIMENSION } from '../../../contracts/metric-names';
import type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';
import { PROJECT_ROOT } from '../../project-paths';

export interface PipelineFunctionProps {
  /** Folder under lambda/ that holds the function's `index.ts` (exporting `handler`). */
  readonly functionDir: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** Key that encrypts the function's log group (its policy must let CloudWatch Logs use it). */
  readonly encryptionKey: kms.IKey;
  /**
   * What happens to the log group on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * Environment variables besides the Powertools ones this construct sets.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * @default Duration.minutes(1)
   */
  readonly timeout?: cdk.Duration;
  /**
   * Memory also buys CPU; parsing is CPU-bound.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Namespace of the function's Powertools metrics.
   * @default 'LogPipeline'
   */
  readonly metricsNamespace?: string;
  /**
   * The stage's custom line formats (config `formats`), bundled into the function's asset and tried after the
   * built-in parsers.
   * @default none
   */
  readonly customFormats?: readonly CustomFormatDefinition[];
  /**
   * The export of `index.ts` Lambda calls, for a folder whose index exports more than one handler.
   * @default 'handler'
   */
  readonly handlerExport?: string;
  /**
   * Runs the function in this VPC (its network interfaces in `vpcSubnets`, with `securityGroups`). The caller
   * grants the role the network-interface actions: this construct's role has no managed policy.
   * @default not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /** The subnets of the function's network interfaces; only with `vpc`. @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The function's security groups; only with `vpc`. @default one new group allowing all outbound */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Every Lambda of the app is built through this construct: Node.js 24 on ARM64, bundled locally by
 * esbuild (minified, tree-shaken, with source maps) by the same function the local tools call
 * (bundleFunction), with its own KMS-encrypted log group whose retention and removal follow the stage.
 */
export class PipelineFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** The function's own execution role (it may write its log group only; callers grant the rest). */
  public readonly role: iam.Role;
  /** Namespace of the function's Powertools metrics. */
  public readonly metricsNamespace: string;
  /** The folder under lambda/, also the `service` dimension of its Powertools metrics. */
  public readonly functionDir: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.metricsNamespace = props.metricsNamespace ?? METRICS_NAMESPACE;
    this.functionDir = props.functionDir;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole (a managed policy that may write to any log
    // group): this one may write to the function's own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.functionDir} function`,
    });
    const role = this.role;
    this.logGroup.grantWrite(role);

    // Refused here, naming the missing file, rather than when the asset is bundled.
    functionEntries(props.functionDir);
    this.function = new lambda.Function(this, 'Function', {
      role,
      // Not NodejsFunction: it builds one entry point into one file, and a function's separate modules
      // (SEPARATE_MODULES in lib/lambda-bundling.ts) are files of their own next to index.js.
      code: lambda.Code.fromAsset(path.join(PROJECT_ROOT, 'lambda', props.functionDir), {
        // The bundle also holds lambda/shared and node_modules: its hash is the output's, as NodejsFunction's is.
        assetHashType: cdk.AssetHashType.OUTPUT,
        bundling: {
          // Always bundled locally with the project's esbuild (as with NodejsFunction's forceDockerBundling: false
          // and esbuild installed); the image is never started.
          image: runtimeFor(LAMBDA_NODE_MAJOR).bundlingImage,
          command: ['echo', 'bundled locally, see tryBundle'],
          local: {
            tryBundle: (outputDir) => {
              bundleFunction(props.functionDir, outputDir, props.customFormats);
              return true;
            },
          },
        },
      }),
      handler: `index.${props.handlerExport ?? 'handler'}`,
      description: props.description,
      runtime: runtimeFor(LAMBDA_NODE_MAJOR),
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? cdk.Duration.minutes(1),
      memorySize: props.memorySize ?? 1024,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: {
        ...functionEnvironment(props.functionDir, this.metricsNamespace),
        // Source maps make stack traces point at the TypeScript (their cost: lib/lambda-bundling.ts).
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }

  /**
   * One of the function's own Powertools metrics (names in contracts/metric-names.ts), summed over
   * 5 minutes unless `props` says otherwise.
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { [SERVICE_DIMENSION]: this.functionDir },
      statistic: cloudwatch.Stats.SUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /** Invocations (AWS/Lambda), summed per 5 minutes. */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricInvocations(props);
  }

  /** Invocations that failed (AWS/Lambda), summed per 5 minutes. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** Invocation duration (AWS/Lambda), p99 per 5 minutes unless `props` says otherwise. */
  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricDuration({ statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** Throttled invocations (AWS/Lambda), summed per 5 minutes. */
  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }
}

function runtimeFor(major: number): lambda.Runtime {
  const runtime = (lambda.Runtime as unknown as Record<string, lambda.Runtime>)[`NODEJS_${major}_X`];
  if (!runtime)
    throw new Error(`aws-cdk-lib has no Lambda runtime for Node.js ${major}; update LAMBDA_NODE_MAJOR in lib/lambda-bundling.ts`);
  return runtime;
}
