/**
 * Reading IAM out of a synthesized template, for the tests that pin who may do what. One copy, so every
 * test sees the same statements (policies and roles' inline policies alike).
 */
import { Template } from 'aws-cdk-lib/assertions';

/** One IAM policy statement as CloudFormation holds it (single values are not wrapped in arrays). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A CloudFormation value that is one item or a list of them, as a list. */
export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Each statement of each IAM policy resource, with the roles the policy is attached to (as written: `{ Ref }` or imports). */
export function attachedStatements(template: Template): Array<{ roles: unknown[]; statement: Statement }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ roles: policy.Properties.Roles ?? [], statement })),
  );
}

/** The statements of a role's own inline policies. */
function inlineStatements(role: ReturnType<Template['findResources']>[string]): Statement[] {
  const policies: Array<{ PolicyDocument: { Statement: Statement[] } }> = role.Properties.Policies ?? [];
  return policies.flatMap((inline) => inline.PolicyDocument.Statement);
}

/** Every IAM policy statement in a template, from policies and roles' inline policies. */
export function iamStatements(template: Template): Statement[] {
  return [
    ...attachedStatements(template).map(({ statement }) => statement),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap(inlineStatements),
  ];
}

/** Logical ID of the one role whose properties match `properties` (fails unless exactly one does). */
export function roleId(template: Template, properties: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role', { Properties: properties }));
  if (ids.length !== 1) throw new Error(`expected one role matching ${JSON.stringify(properties)}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

/** Statements that reach one role (by logical ID): the policies attached to it and its inline policies. */
export function roleStatements(template: Template, role: string): Statement[] {
  const ref = JSON.stringify({ Ref: role });
  const roleResource = template.findResources('AWS::IAM::Role')[role];
  if (roleResource === undefined) throw new Error(`no role ${role} in this template`);
  return [
    ...attachedStatements(template)
      .filter(({ roles }) => roles.some((r) => JSON.stringify(r) === ref))
      .map(({ statement }) => statement),
    ...inlineStatements(roleResource),
  ];
}

/** Every action the statements name, sorted (a repeated action stays repeated, so a test sees it). */
export function actionsOf(statements: readonly Statement[]): string[] {
  return statements.flatMap((s) => asArray(s.Action)).sort();
}

/** The Resource of each statement that names `action`. */
export function resourcesOf(statements: readonly Statement[], action: string): unknown[] {
  return statements.filter((s) => asArray(s.Action).includes(action)).map((s) => s.Resource);
}

/**
 * The namespaces the statements allow cloudwatch:PutMetricData in, sorted. PutMetricData supports no resource-level
 * permissions, so every statement naming it must hold it to namespaces with a `StringEquals` on `cloudwatch:namespace`
 * (the CloudWatch User Guide's "Using condition keys to limit access to CloudWatch namespaces"); one without that
 * condition fails here.
 */
export function putMetricDataNamespaces(statements: readonly Statement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('cloudwatch:PutMetricData'))
    .flatMap((s) => {
      const namespaces = s.Condition?.StringEquals?.['cloudwatch:namespace'];
      expect([s.Sid, namespaces]).toEqual([s.Sid, expect.anything()]);
      expect(Object.keys(s.Condition ?? {})).toEqual(['StringEquals']);
      return asArray(namespaces as string | string[]);
    })
    .sort();
}

/** Fails on a bare `*` action or a service-wide one (`kinesis:*`, `s3:*`, ...) anywhere in the template. */
export function expectNoWildcardActions(template: Template): void {
  for (const statement of iamStatements(template)) {
    for (const action of asArray(statement.Action)) {
      expect(action).not.toBe('*');
      expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
    }
  }
}
