/**
 * The deploy rehearsal: an update after a change of the stage config.
 *
 * AWS's rules:
 * - A property whose change "requires: Replacement" makes CloudFormation create a new resource, then delete the
 *   old one; "if you specify a name, you cannot perform updates that require replacement of this resource"
 *   ("Name type", AWS CloudFormation User Guide,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html). So a resource
 *   with a fixed name must get a new name whenever a replacing property changes.
 * - An EC2 instance with termination protection (DisableApiTermination) cannot be terminated through the
 *   API, so CloudFormation cannot delete the old instance after a replacement ("Enable termination
 *   protection", Amazon EC2 User Guide,
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_ChangingDisableAPITermination.html): such a
 *   resource must not have a replacing property that changes without a deliberate edit of the template
 *   (a value read at each deploy, like the latest-AMI SSM parameter).
 *
 * Which properties replace comes from CloudFormation's resource schemas (createOnlyProperties). What the
 * stage config reaches is found by synthesizing each stage with the other stage's settings (its own stack
 * names): every property that differs then is one a config change moves.
 */
import type { StageName } from '../../lib/config';
import { STAGE_CONFIGS } from '../../lib/config';
import { topicReplacementProblems } from '../../lib/constructs/kafka';
import topicsLock from '../../lib/constructs/kafka/topics.lock.json';
import {
  allResources,
  describe_,
  hasFixedName,
  nameOf,
  namePaths,
  resourceSchema,
  segments,
  STAGES,
  stageTemplates,
  templatesWithConfig,
  valueAt,
  type StageResource,
  type StageTemplates,
} from './redeploy-templates';

const OTHER: Record<StageName, StageName> = { dev: 'prod', prod: 'dev' };

/** Replacing properties of a fixed-name resource that the config change moves while the name stays. */
function replacementsUnderOneName(base: StageTemplates, changed: StageTemplates): { resource: StageResource; properties: string[] }[] {
  return allResources(base)
    .filter((r) => hasFixedName(base, r))
    .flatMap((r) => {
      const after = changed.get(r.stack)?.Resources[r.id];
      if (after === undefined || after.Type !== r.resource.Type) return [];
      const names = new Set(namePaths(r.resource.Type).map((p) => p.join('/')));
      const sameName = nameOf(r) === nameOf({ ...r, resource: after });
      const moved = (resourceSchema(r.resource.Type).createOnlyProperties ?? [])
        .map(segments)
        .filter((p) => !names.has(p.join('/')))
        .filter((p) => JSON.stringify(valueAt(r.resource.Properties, p)) !== JSON.stringify(valueAt(after.Properties, p)))
        .map((p) => p.join('.'));
      return sameName && moved.length > 0 ? [{ resource: r, properties: moved }] : [];
    });
}

describe.each(STAGES)('%s: an update after a config change', (stage) => {
  const base = stageTemplates(stage);
  const changed = templatesWithConfig(stage, STAGE_CONFIGS[OTHER[stage]]);

  test('no resource with a fixed name keeps its name while a config change replaces it', () => {
    const found = replacementsUnderOneName(base, changed);
    // A topic's name is Kafka's: it cannot change with its replication factor. topics.lock.json refuses such
    // a change at synth (lib/constructs/kafka/kafka-config.ts), so it never reaches CloudFormation.
    const refusedAtSynth = (r: StageResource) =>
      r.resource.Type === 'AWS::MSK::Topic' &&
      topicReplacementProblems(STAGE_CONFIGS[OTHER[stage]].kafka, topicsLock[stage], stage).some((p) =>
        p.includes(`'${String(r.resource.Properties?.TopicName)}'`),
      );
    // The stages' replication factors differ, so the topic is found: the exemption is exercised, not idle.
    expect(found.filter((f) => refusedAtSynth(f.resource)).map((f) => f.resource.resource.Type)).toEqual(['AWS::MSK::Topic']);
    expect(
      found
        .filter((f) => !refusedAtSynth(f.resource))
        .map((f) => `${describe_(f.resource)} named ${nameOf(f.resource)}: ${f.properties.join(', ')}`),
    ).toEqual([]);
  });

  test('the comparison sees the config: the Kafka version and the zones move the MSK names with them', () => {
    const name = (templates: StageTemplates, type: string) =>
      allResources(templates)
        .filter((r) => r.resource.Type === type)
        .map(nameOf);
    expect(name(changed, 'AWS::MSK::Configuration')).not.toEqual(name(base, 'AWS::MSK::Configuration'));
    expect(name(changed, 'AWS::MSK::Cluster')).not.toEqual(name(base, 'AWS::MSK::Cluster'));
  });

  test('a termination-protected instance takes no replacing property from a value read at deploy', () => {
    const protectedResources = allResources(base).filter((r) => r.resource.Properties?.DisableApiTermination === true);
    const parameters = new Set(Object.keys(base.get(protectedResources[0]?.stack ?? '')?.Parameters ?? {}));
    const readAtDeploy = protectedResources.flatMap((r) =>
      (resourceSchema(r.resource.Type).createOnlyProperties ?? [])
        .map(segments)
        .filter((p) =>
          [...JSON.stringify(valueAt(r.resource.Properties, p) ?? null).matchAll(/"Ref":"([^"]+)"/g)].some((m) => parameters.has(m[1])),
        )
        .map((p) => `${describe_(r)}: ${p.join('.')}`),
    );
    expect(protectedResources.length).toBe(stage === 'prod' ? 1 : 0);
    expect(readAtDeploy).toEqual([]);
  });
});
