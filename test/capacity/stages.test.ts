/**
 * The rule: what each stage deploys carries the volume it declares. The sizing is read off both stages'
 * synthesized templates (not the config objects), put back into the config, and checked by the capacity plan
 * against AWS's documented limits (lib/capacity/limits.ts cites each page).
 */
import { capacityPlan } from '../../lib/capacity/plan';
import { STAGES, STAGE_CONFIGS, type StageConfig } from '../../lib/config';
import { synthStage } from '../helpers/app';

function deployedSizing(stage: (typeof STAGES)[number]): StageConfig {
  const { templates } = synthStage(stage);
  const config = STAGE_CONFIGS[stage];
  const only = (template: (typeof templates)['data'], type: string) => {
    const found = Object.values(template.findResources(type));
    expect(found).toHaveLength(1);
    return found[0].Properties;
  };
  const stream = only(templates.data, 'AWS::Kinesis::Stream');
  const cluster = only(templates.kafka, 'AWS::MSK::Cluster');
  const topics = Object.values(templates.kafka.findResources('AWS::MSK::Topic')).map((r) => r.Properties);
  const mapping = only(templates.kafkaConsumer, 'AWS::Lambda::EventSourceMapping');
  const job = only(templates.analytics, 'AWS::Glue::Job');
  const workgroup = only(templates.analytics, 'AWS::Athena::WorkGroup');
  return {
    ...config,
    stream: {
      ...config.stream,
      capacity:
        stream.StreamModeDetails.StreamMode === 'PROVISIONED'
          ? { mode: 'provisioned', shardCount: stream.ShardCount }
          : { mode: 'on-demand' },
    },
    kafka: {
      ...config.kafka,
      brokerInstanceType: cluster.BrokerNodeGroupInfo.InstanceType,
      brokerCount: cluster.NumberOfBrokerNodes,
      ebsVolumeGiB: cluster.BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize,
      replicationFactor: topics[0].ReplicationFactor,
      topics: config.kafka.topics.map((t) => ({ ...t, partitions: topics.find((d) => d.TopicName === t.name).PartitionCount })),
      consumer: {
        ...config.kafka.consumer,
        batchSize: mapping.BatchSize,
        maximumBatchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds,
        maximumPollers: mapping.ProvisionedPollerConfig.MaximumPollers,
      },
    },
    analytics: {
      ...config.analytics,
      workerType: job.WorkerType,
      numberOfWorkers: job.NumberOfWorkers,
      bytesScannedCutoffPerQuery: workgroup.WorkGroupConfiguration.BytesScannedCutoffPerQuery,
    },
  };
}

describe.each(STAGES)('%s as synthesized', (stage) => {
  test('every hop carries the declared volume at its peak', () => {
    const deployed = deployedSizing(stage);
    expect(deployed.kafka.topics.map((t) => t.partitions)).toEqual(STAGE_CONFIGS[stage].kafka.topics.map((t) => t.partitions));
    expect(
      capacityPlan(deployed)
        .filter((h) => !h.ok)
        .map((h) => h.problem),
    ).toEqual([]);
  });
});
