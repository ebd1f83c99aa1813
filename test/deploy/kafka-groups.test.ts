/**
 * The deploy rehearsal: the consumer groups of the Kafka event source mappings.
 *
 * AWS's rules ("Customizable consumer group ID in Lambda", https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html):
 * - "The consumer group ID that you specify must be unique among all your Kafka event sources";
 * - a group "that has other active consumers" splits the topic's messages, so Lambda receives only a portion of them;
 * - the ID cannot be updated after the mapping is created (AWS::Lambda::EventSourceMapping ConsumerGroupId,
 *   "Update requires: Replacement").
 * So every mapping of a stage names its own group, none shared with another mapping or with the stream analytics
 * job (which consumes as FLINK_GROUP_ID), and the groups the code names for mappings not yet in a stage are apart too.
 */
import { FLINK_GROUP_ID } from '../../contracts/realtime';
import { CONSUMER_GROUP_ID } from '../../lib/constructs/kafka/kafka-config';
import { REALTIME_ROWS_GROUP_ID } from '../../lib/constructs/realtime/realtime-rows';
import { allResources, describe_, referencedResources, STAGES, stageTemplates } from './redeploy-templates';

/** The API's pattern and length for ConsumerGroupId (AmazonManagedKafkaEventSourceConfig). */
const GROUP_ID = /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/;

test('the groups the code names for mappings and for the job are distinct, valid IDs', () => {
  const groups = [CONSUMER_GROUP_ID, REALTIME_ROWS_GROUP_ID, FLINK_GROUP_ID];
  expect(new Set(groups).size).toBe(groups.length);
  for (const group of groups) expect(group).toMatch(GROUP_ID);
});

describe.each(STAGES)('%s: the Kafka mappings and their groups', (stage) => {
  const templates = stageTemplates(stage);
  const mappings = allResources(templates)
    .filter((r) => r.resource.Type === 'AWS::Lambda::EventSourceMapping')
    .filter((m) =>
      referencedResources(templates, m.stack, m.resource.Properties?.EventSourceArn).some((c) => c.resource.Type === 'AWS::MSK::Cluster'),
    );

  test('there is a Kafka mapping to check', () => {
    expect(mappings.length).toBeGreaterThan(0);
  });

  test("each names its own group, none shared with another mapping or the job's", () => {
    const groupOf = (m: (typeof mappings)[number]) =>
      (m.resource.Properties?.AmazonManagedKafkaEventSourceConfig as { ConsumerGroupId?: unknown } | undefined)?.ConsumerGroupId;
    const problems = mappings.flatMap((m) => {
      const group = groupOf(m);
      if (typeof group !== 'string' || !GROUP_ID.test(group)) return [`${describe_(m)} names no fixed, valid consumer group`];
      if (group === FLINK_GROUP_ID) return [`${describe_(m)} shares the stream analytics job's group ${group}`];
      const others = mappings.filter((o) => o !== m && groupOf(o) === group);
      return others.map((o) => `${describe_(m)} and ${describe_(o)} share the group ${group}`);
    });
    expect(problems).toEqual([]);
  });
});
