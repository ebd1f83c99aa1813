/**
 * The deploy rehearsal, cross-stack references: every value one stack takes from another is an Fn::ImportValue of
 * an Export of the producer. CloudFormation then refuses to delete a producer whose export is imported and refuses
 * an update that changes or removes an imported export (AWS CloudFormation, "Fn::ImportValue",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html),
 * so no consumer can keep a stale value or point at a destroyed producer. Fn::GetStackOutput (weak references) is
 * read only when the consumer itself is deployed, and the CDK CLI skips a stack whose template did not change; it
 * is used only where a routine update replaces the value, and a strong reference would make that update fail.
 * Why: lib/app-stacks.ts.
 */
import { STAGE_CONFIGS, type StageName } from '../../lib/config';
import { CONSUMER_GROUP_ID } from '../../lib/constructs/kafka/kafka-config';
import * as cdkJson from '../../cdk.json';
import { stageWiring } from './wiring';

test('cdk.json sets strong cross-stack references explicitly (the flag lib/app-stacks.ts explains)', () => {
  expect(cdkJson.context['@aws-cdk/core:defaultCrossStackReferences']).toBe('strong');
});

describe.each(['dev', 'prod'] as StageName[])('%s: cross-stack references', (stage) => {
  const wiring = stageWiring(stage);
  const text = Object.fromEntries(Object.entries(wiring.templates).map(([stack, t]) => [stack, JSON.stringify(t)]));

  // The exceptions: values a routine update replaces, read weakly by the Monitoring stack only, each with what
  // makes Monitoring read it again (lib/app-stacks.ts).
  test('only the mapping UUID and the host instance ID are read with Fn::GetStackOutput, by the Monitoring stack alone', () => {
    const weak = Object.entries(wiring.templates).flatMap(([stack, template]) =>
      [...JSON.stringify(template).matchAll(/"OutputName":"(PublishOutput\w+)"/g)].map(
        (m) => `${stack} <- ${m[1].replace(/^PublishOutputRef/, '').replace(/[0-9A-F]{16}$/, '')}`,
      ),
    );
    expect([...new Set(weak)].sort()).toEqual(['monitoring <- ConsumerMapping', 'monitoring <- LogHostInstance']);
  });

  test('a change that replaces the mapping changes the Monitoring template too (it names the topic, the group and the cluster), so the CLI deploys it and reads the new UUID', () => {
    const config = STAGE_CONFIGS[stage];
    const monitoring = text.monitoring;
    expect(monitoring).toContain(`topic ${config.kafka.topics[0].name}, group ${CONSUMER_GROUP_ID}`);
    const cluster = Object.values(wiring.templates.kafka.Resources).find((r) => r.Type === 'AWS::MSK::Cluster');
    expect(monitoring).toContain(String(cluster?.Properties?.ClusterName));
  });

  test('every Fn::ImportValue names an Export of another stack of the stage, and each Export is imported', () => {
    const exported = new Map<string, string>();
    for (const [stack, template] of Object.entries(wiring.templates)) {
      for (const output of Object.values(template.Outputs ?? {})) if (output.Export) exported.set(String(output.Export.Name), stack);
    }
    const imported = new Set<string>();
    for (const [stack, json] of Object.entries(text)) {
      for (const match of json.matchAll(/"Fn::ImportValue":"([^"]+)"/g)) {
        imported.add(match[1]);
        expect({ name: match[1], producer: exported.has(match[1]), self: exported.get(match[1]) === stack }).toEqual({
          name: match[1],
          producer: true,
          self: false,
        });
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    expect([...exported.keys()].filter((name) => !imported.has(name))).toEqual([]);
  });
});
