/**
 * The deploy rehearsal, MSK zones: "Client subnets can't occupy the Availability Zone with ID use1-az3" (AWS
 * CloudFormation, AWS::MSK::Cluster BrokerNodeGroupInfo, ClientSubnets,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html).
 * A zone *name* maps to a different zone ID per account ("AZ IDs" (AWS Regions and Availability Zones),
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), so a subnet placed by name in
 * us-east-1 may land in use1-az3; synth can know the zone only when the config names zone IDs.
 */
import { STAGE_CONFIGS, stageConfig, validateStageConfig, type StageConfig, type StageName } from '../../lib/config';
import { MSK_UNSUPPORTED_ZONE_IDS } from '../../lib/constructs/kafka/kafka-config';
import { asArray, stageWiring } from './wiring';

const withZoneIds = (config: StageConfig, ids: string[]): StageConfig => ({
  ...config,
  network: { ...config.network, availabilityZoneIds: ids },
});

describe.each(['dev', 'prod'] as StageName[])('%s: MSK client subnets and use1-az3', (stage) => {
  const wiring = stageWiring(stage);
  const config = STAGE_CONFIGS[stage];
  const n = config.network.availabilityZones;

  test('every broker subnet is placed by a zone ID other than an excluded one, or by position in a region synth does not know', () => {
    const clusters = wiring.resources.filter((r) => r.resource.Type === 'AWS::MSK::Cluster');
    expect(clusters).toHaveLength(1);
    for (const cluster of clusters) {
      const subnets = asArray((cluster.resource.Properties?.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets).map((s) =>
        wiring.locate(cluster.stack, s),
      );
      expect(subnets).toHaveLength(n);
      for (const subnet of subnets) {
        expect(subnet?.resource.Type).toBe('AWS::EC2::Subnet');
        const id = subnet!.resource.Properties?.AvailabilityZoneId;
        if (id !== undefined) expect(Object.values(MSK_UNSUPPORTED_ZONE_IDS)).not.toContain(id);
        // Placed by position: the stage names no zone IDs, which synth accepts only where no zone is excluded.
        else expect(config.network.availabilityZoneIds).toBeUndefined();
      }
    }
  });

  test('synth in us-east-1 refuses zones by position and use1-az3, and accepts other zone IDs; elsewhere and unknown regions pass', () => {
    expect(() => stageConfig(stage, { region: 'us-east-1' })).toThrow(
      /network\.availabilityZoneIds must be set in us-east-1 \(got none\): MSK cannot use zone use1-az3/,
    );
    const good = ['use1-az1', 'use1-az2', 'use1-az4'].slice(0, n);
    expect(() => validateStageConfig(withZoneIds(config, good), { region: 'us-east-1' })).not.toThrow();
    expect(() => validateStageConfig(withZoneIds(config, ['use1-az3', ...good].slice(0, n)), { region: 'us-east-1' })).toThrow(
      /network\.availabilityZoneIds must not include use1-az3/,
    );
    expect(() => stageConfig(stage, { region: 'eu-west-1' })).not.toThrow();
    expect(() => stageConfig(stage)).not.toThrow();
  });
});
