/**
 * The deploy rehearsal: what each Kafka event source mapping needs of the network it runs in.
 *
 * AWS's rules:
 * - The mapping's pollers run in the cluster's subnets. In provisioned mode (ProvisionedPollerConfig set) "you
 *   don't need a NAT gateway or AWS PrivateLink endpoints" to invoke the function; in on-demand mode the
 *   subnets must reach Lambda and STS (a NAT gateway, or interface endpoints for both) ("Configuring your
 *   Amazon MSK cluster and Amazon VPC network for Lambda",
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html).
 * - "You must deploy a VPC endpoint for your on-failure destination service inside your Amazon MSK cluster
 *   VPC" ("Capturing discarded batches for Amazon MSK and self-managed Apache Kafka event sources",
 *   https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html): for an S3 destination, a gateway
 *   endpoint on the route tables of the cluster's subnets.
 * So a stage's network has exactly what its mappings need: the S3 endpoint where a destination is S3, Lambda
 * and STS reach only for an on-demand mapping, and no Lambda/STS interface endpoints that nothing uses.
 */
import {
  allResources,
  describe_,
  referencedResources,
  STAGES,
  stageTemplates,
  type StageResource,
  type StageTemplates,
} from './redeploy-templates';

/** The route table of each subnet, by the subnet's stack and logical ID. */
function routeTableOf(templates: StageTemplates, subnet: StageResource): string | undefined {
  const association = allResources(templates).find(
    (r) =>
      r.resource.Type === 'AWS::EC2::SubnetRouteTableAssociation' &&
      JSON.stringify(r.resource.Properties?.SubnetId) === JSON.stringify({ Ref: subnet.id }),
  );
  return association && `${association.stack}/${(association.resource.Properties?.RouteTableId as { Ref: string }).Ref}`;
}

const service = (endpoint: StageResource) => JSON.stringify(endpoint.resource.Properties?.ServiceName);

describe.each(STAGES)('%s: the Kafka mappings and their network', (stage) => {
  const templates = stageTemplates(stage);
  const resources = allResources(templates);
  const mappings = resources
    .filter((r) => r.resource.Type === 'AWS::Lambda::EventSourceMapping')
    .filter((m) =>
      referencedResources(templates, m.stack, m.resource.Properties?.EventSourceArn).some((c) => c.resource.Type === 'AWS::MSK::Cluster'),
    );
  const endpoints = resources.filter((r) => r.resource.Type === 'AWS::EC2::VPCEndpoint');
  const clusterOf = (mapping: StageResource) =>
    referencedResources(templates, mapping.stack, mapping.resource.Properties?.EventSourceArn).find(
      (c) => c.resource.Type === 'AWS::MSK::Cluster',
    )!;
  const subnetsOf = (cluster: StageResource) =>
    referencedResources(
      templates,
      cluster.stack,
      (cluster.resource.Properties?.BrokerNodeGroupInfo as Record<string, unknown>).ClientSubnets,
    ).filter((s) => s.resource.Type === 'AWS::EC2::Subnet');

  test('there is a Kafka mapping to check', () => {
    expect(mappings.length).toBeGreaterThan(0);
  });

  test("an S3 on-failure destination has the S3 gateway endpoint on every cluster subnet's route table", () => {
    const missing = mappings.flatMap((mapping) => {
      const onFailure = (mapping.resource.Properties?.DestinationConfig as Record<string, unknown> | undefined)?.OnFailure;
      const toS3 = referencedResources(templates, mapping.stack, onFailure).some((r) => r.resource.Type === 'AWS::S3::Bucket');
      if (!toS3) return [];
      const s3Gateways = endpoints.filter((e) => e.resource.Properties?.VpcEndpointType === 'Gateway' && service(e).includes('.s3'));
      const covered = new Set(
        s3Gateways.flatMap((e) => (e.resource.Properties?.RouteTableIds as { Ref: string }[]).map((ref) => `${e.stack}/${ref.Ref}`)),
      );
      return subnetsOf(clusterOf(mapping))
        .filter((subnet) => !covered.has(routeTableOf(templates, subnet) ?? ''))
        .map((subnet) => `${describe_(mapping)} sends failures to S3, but ${describe_(subnet)} has no S3 gateway endpoint`);
    });
    expect(missing).toEqual([]);
  });

  test('Lambda and STS are reachable from the cluster subnets exactly when a mapping is on demand', () => {
    const onDemand = mappings.some((m) => m.resource.Properties?.ProvisionedPollerConfig === undefined);
    const natGateways = resources.filter((r) => r.resource.Type === 'AWS::EC2::NatGateway');
    const interfaces = endpoints.filter((e) => e.resource.Properties?.VpcEndpointType === 'Interface');
    const lambdaSts = interfaces.filter((e) => /\.(lambda|sts)"/.test(service(e)));
    if (onDemand) {
      expect(natGateways.length > 0 || lambdaSts.length === 2).toBe(true);
    } else {
      // Provisioned: nothing in these subnets calls Lambda or STS, so endpoints for them are cost for nothing.
      expect(lambdaSts.map(describe_)).toEqual([]);
    }
  });
});
