import { synthStage } from '../helpers/app';

// cdk-nag's AwsSolutions pack runs as a CDK policy-validation plugin: any finding without an
// acknowledgment (each with its reason, on the exact construct) makes synthesis throw with the report.
describe.each(['dev', 'prod'] as const)('%s: cdk-nag AwsSolutions', (stage) => {
  test('zero unacknowledged findings', () => {
    expect(synthStage(stage).nagFailure).toBeUndefined();
  });
});
