import * as iam from 'aws-cdk-lib/aws-iam';
import { DEV_HOST, PROD_HOST, hostStack } from './fixtures';

// cdk-nag AwsSolutions runs as a CDK validation plugin on the host stack, with the project's feature flags:
// any finding without an acknowledgment (with its reason, on the exact construct) makes synth throw.
describe.each([
  ['dev', DEV_HOST],
  ['prod', PROD_HOST],
])('%s host stack: cdk-nag AwsSolutions', (_stage, config) => {
  test('zero unacknowledged findings', () => {
    const { app } = hostStack(config, { nag: true });
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  test('the checks do run: a new, unacknowledged wildcard fails them', () => {
    const { app, stack } = hostStack(config, { nag: true });
    // A wildcard action in the already-acknowledged Session Manager policy is a new, unacknowledged finding.
    stack.host.sessionManagerPolicy.addStatements(new iam.PolicyStatement({ actions: ['ssm:Get*'], resources: ['*'] }));
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-IAM5\[Action::ssm:Get\*\]/);
  });
});
