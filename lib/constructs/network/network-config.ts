/**
 * Stage settings of the shared network, and their validation. No CDK here: lib/config.ts imports it to
 * validate stage configs at synth.
 */
import type { Problems } from '../../problems';

/**
 * How the private subnets reach AWS APIs:
 * - 'nat-gateway': one NAT gateway in a public subnet (needs `publicSubnets`); private subnets reach every
 *   AWS API and the internet (package repositories). About $33/month plus $0.045/GB.
 * - 'interface-endpoints': VPC interface endpoints for Lambda and STS, which an MSK event source mapping in
 *   on-demand mode calls from the cluster's subnets; no internet. About $7.30/month per endpoint per AZ plus $0.01/GB.
 * - 'none': private subnets reach only S3 (the free gateway endpoint every stage has). Enough for the MSK
 *   brokers and the mapping in provisioned mode, which needs no NAT or Lambda/STS endpoint.
 */
export const PRIVATE_EGRESS_CHOICES = ['nat-gateway', 'interface-endpoints', 'none'] as const;
export type PrivateEgress = (typeof PRIVATE_EGRESS_CHOICES)[number];

/** Settings of the network every stateful part shares (StageConfig.network). */
export interface NetworkConfig {
  /** Availability zones, 2–3; each gets one private (and, with publicSubnets, one public) subnet. */
  readonly availabilityZones: number;
  /** Public subnets with an internet gateway: dev's log host sits there; a NAT gateway needs one. */
  readonly publicSubnets: boolean;
  /** How private subnets reach AWS APIs (see PRIVATE_EGRESS_CHOICES). */
  readonly privateEgress: PrivateEgress;
  /** Address range of the VPC, an IPv4 CIDR from /16 to /22 (subnets are /24 or smaller). */
  readonly cidr: string;
  /**
   * The zones by zone ID (e.g. `use1-az1`), one per `availabilityZones`, in order: the subnets are placed by ID
   * (AWS::EC2::Subnet AvailabilityZoneId). A zone ID names the same physical zone in every account, while a zone
   * name (us-east-1a) maps to a different zone per account ("AZ IDs" (AWS Regions and Availability Zones),
   * https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html); list yours with
   * `aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneId'`.
   * @default - the region's first `availabilityZones` zones by name (Fn::GetAZs at deploy), whatever IDs they have
   */
  readonly availabilityZoneIds?: readonly string[];
}

/** A zone ID: region code, digit, `-az`, number (use1-az1, euw1-az3, apne1-az4). */
const ZONE_ID = /^[a-z]{2,5}\d+-az\d+$/;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Adds every problem of a network config to `problems`, settings named `network.<setting>`. */
export function networkConfigProblems(config: NetworkConfig, problems: Problems): void {
  problems.integer('network.availabilityZones', config.availabilityZones, 2, 3, 'MSK brokers and the private subnets span 2 or 3 AZs');
  problems.boolean('network.publicSubnets', config.publicSubnets);
  problems.oneOf('network.privateEgress', config.privateEgress, PRIVATE_EGRESS_CHOICES);
  if (config.privateEgress === 'nat-gateway' && config.publicSubnets === false) {
    problems.add(
      "network.privateEgress must not be 'nat-gateway' without network.publicSubnets (got publicSubnets: false): a NAT gateway lives in a public subnet",
    );
  }
  if (config.availabilityZoneIds !== undefined) {
    const ids = config.availabilityZoneIds;
    if (
      !Array.isArray(ids) ||
      ids.length !== config.availabilityZones ||
      !ids.every((id) => typeof id === 'string' && ZONE_ID.test(id)) ||
      new Set(ids).size !== ids.length
    ) {
      problems.add(
        `network.availabilityZoneIds must list ${config.availabilityZones} distinct zone IDs such as use1-az1, one per network.availabilityZones (got ${JSON.stringify(ids)}); list yours with aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneId'`,
      );
    }
  }
  const match = typeof config.cidr === 'string' ? CIDR.exec(config.cidr) : null;
  const octetsOk = match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255);
  const mask = match === null ? NaN : Number(match[5]);
  if (!octetsOk || !(mask >= 16 && mask <= 22)) {
    problems.add(`network.cidr must be an IPv4 CIDR with a mask from /16 to /22, e.g. 10.40.0.0/16 (got '${String(config.cidr)}')`);
  }
}
