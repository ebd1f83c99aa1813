/**
 * The deploy rehearsal, trust policies: a positive condition (StringEquals, ArnLike) on a key the service does
 * not send is false, so every AssumeRole by that service is refused and the role works in no real deploy
 * (IAM User Guide, "IAM JSON policy elements: Condition operators": a condition key absent from the request
 * makes the condition false, except with ...IfExists; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 * Each service's role may carry only the condition keys its own documentation gives, each page named in
 * lib/confused-deputy.ts.
 */
import type { StageName } from '../../lib/config';
import { SERVICE_TRUST_CONDITIONS } from '../../lib/confused-deputy';
import { asArray, stageWiring, type Statement } from './wiring';

/** The condition keys each service's page documents for the roles it assumes (the page is in SERVICE_TRUST_CONDITIONS). */
const DOCUMENTED_KEYS: Record<string, string[]> = {
  // Amazon Data Firehose, "Grant Firehose access to an Amazon S3 destination".
  'firehose.amazonaws.com': ['sts:ExternalId'],
  // Amazon VPC, "IAM role for publishing flow logs to CloudWatch Logs".
  'vpc-flow-logs.amazonaws.com': ['aws:SourceAccount', 'aws:SourceArn'],
  // Managed Service for Apache Flink, "Cross-service confused deputy prevention".
  'kinesisanalytics.amazonaws.com': ['aws:SourceAccount', 'aws:SourceArn'],
  // AWS Step Functions, "Creating an IAM role for your state machine" (the Provider framework's waiter).
  'states.amazonaws.com': ['aws:SourceAccount', 'aws:SourceArn'],
  // AWS Glue ("Step 2: Create an IAM role for AWS Glue"), Lambda and EC2 document none for these roles.
  'glue.amazonaws.com': [],
  'lambda.amazonaws.com': [],
  'ec2.amazonaws.com': [],
};

describe.each(['dev', 'prod'] as StageName[])('%s: trust conditions', (stage) => {
  const roles = stageWiring(stage).resources.filter((r) => r.resource.Type === 'AWS::IAM::Role');

  test('every service role carries only the condition keys its service documents, and every service names its page', () => {
    expect(roles.length).toBeGreaterThan(5);
    for (const role of roles) {
      for (const statement of (role.resource.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement) {
        for (const service of asArray((statement.Principal as { Service?: string | string[] }).Service)) {
          const keys = Object.values(statement.Condition ?? {})
            .flatMap((byKey) => Object.keys(byKey))
            .sort();
          expect({ role: role.logicalId, service, keys }).toEqual({
            role: role.logicalId,
            service,
            keys: [...(DOCUMENTED_KEYS[service] ?? ['<undocumented service>'])].sort(),
          });
          expect(SERVICE_TRUST_CONDITIONS[service]?.page).toMatch(/^.+, "[^"]+", https:\/\/docs\.aws\.amazon\.com\//);
        }
      }
    }
  });
});
