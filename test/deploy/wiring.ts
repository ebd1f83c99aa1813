/**
 * Reads a stage's synthesized templates as one deployment: follows a value across stacks (Ref, Fn::GetAtt,
 * Fn::ImportValue of another stack's Export) to the resource it names, so the rehearsal tests derive what each
 * service needs from the wiring in the templates rather than from a hand list.
 */
import type { StageName } from '../../lib/config';
import { synthStage } from '../helpers/app';
import type { CfnResource, CfnTemplate } from './cfn-template';

/** A resource of the stage, by stack (PipelineStacks key) and logical ID. */
export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
  /** The attribute a Fn::GetAtt read, undefined for a Ref. */
  readonly attribute?: string;
}

export interface StageWiring {
  readonly stage: StageName;
  readonly templates: Record<string, CfnTemplate>;
  /** Every resource of the stage with its stack. */
  readonly resources: Array<Located>;
  /** The resource a value names, in `stack`'s template; undefined for literals and pseudo parameters. */
  locate(stack: string, value: unknown): Located | undefined;
  /** Resources a resource's properties reference (Ref, GetAtt, ImportValue), anywhere in them. */
  referencedBy(where: Located): Located[];
}

export function stageWiring(stage: StageName): StageWiring {
  const templates = Object.fromEntries(
    Object.entries(synthStage(stage).templates).map(([name, template]) => [name, template.toJSON() as CfnTemplate]),
  );
  const exports = new Map<string, { stack: string; value: unknown }>();
  for (const [stack, template] of Object.entries(templates)) {
    for (const output of Object.values(template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, { stack, value: output.Value });
    }
  }
  const resources = Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries(template.Resources).map(([logicalId, resource]) => ({ stack, logicalId, resource })),
  );
  const at = (stack: string, logicalId: string, attribute?: string): Located | undefined => {
    const resource = templates[stack]?.Resources[logicalId];
    return resource === undefined ? undefined : { stack, logicalId, resource, attribute };
  };
  const locate = (stack: string, value: unknown): Located | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return at(stack, v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) return at(stack, String(v['Fn::GetAtt'][0]), String(v['Fn::GetAtt'][1]));
    if (typeof v['Fn::ImportValue'] === 'string') {
      const exported = exports.get(v['Fn::ImportValue']);
      return exported === undefined ? undefined : locate(exported.stack, exported.value);
    }
    return undefined;
  };
  const referencedBy = (where: Located): Located[] => {
    const found: Located[] = [];
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const hit = locate(where.stack, node);
      if (hit !== undefined) {
        found.push(hit);
        return;
      }
      for (const child of Object.values(node as Record<string, unknown>)) walk(child);
    };
    walk(where.resource.Properties);
    return found;
  };
  return { stage, templates, resources, locate, referencedBy };
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The statement's service principals as text (`logs.${AWS::Region}.amazonaws.com`). */
export function servicePrincipals(statement: Statement): string[] {
  const principal = statement.Principal as { Service?: unknown } | string | undefined;
  return typeof principal === 'object' && principal !== null ? asArray(principal.Service as unknown[]).map(text) : [];
}

/** Every IAM statement that applies to a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function roleStatements(wiring: StageWiring, role: Located): Statement[] {
  const inline = asArray(role.resource.Properties?.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = wiring.resources
    .filter((r) => r.resource.Type === 'AWS::IAM::Policy')
    .filter((r) =>
      asArray(r.resource.Properties?.Roles as unknown[]).some(
        (ref) => wiring.locate(r.stack, ref)?.logicalId === role.logicalId && wiring.locate(r.stack, ref)?.stack === role.stack,
      ),
    )
    .flatMap((r) => (r.resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

/** True when `pattern` (an IAM action with `*` wildcards, case-insensitive) covers `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

/**
 * A CloudFormation string value written as text, with intrinsic parts as `${...}` placeholders
 * (`${AWS::Region}`, `${AWS::AccountId}`, `${AWS::Partition}`, `${Ref:Logical}`), so an ARN pattern can be
 * compared with the one AWS documents.
 */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref.startsWith('AWS::') ? `\${${v.Ref}}` : `\${Ref:${v.Ref}}`;
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  if (Array.isArray(v['Fn::GetAtt'])) return `\${GetAtt:${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if (typeof v['Fn::ImportValue'] === 'string') return `\${Import:${v['Fn::ImportValue']}}`;
  return JSON.stringify(value);
}
