/**
 * Stage settings of the log host, and their validation.
 *
 * lib/config.ts holds one `HostConfig` per stage; `validateHostConfig` reports every problem at once in the
 * same style as the rest of the stage config (`<setting> must be ... (got X)`), so a user knows exactly what
 * to change. This is the one place host settings are checked; the construct and the agent renderer trust it.
 */
import type { NetworkConfig } from '../network/network-config';
import { RECORD_FORMATS, type ParsedFormat } from '../../../contracts/record';

/** Formats a shipped file can hold: the record schema's `format` enum, minus 'unparsed' (a result, not an input). */
export const LOG_FILE_FORMATS: readonly ParsedFormat[] = RECORD_FORMATS.filter((format): format is ParsedFormat => format !== 'unparsed');

export interface LogFileConfig {
  /**
   * Absolute path of the file to tail. A glob (`/var/log/app/*.log`) is allowed: every match is tailed.
   */
  readonly path: string;
  /**
   * What the file holds: a built-in format or the name of one of the stage's `formats`. The agent ships each
   * line unchanged and the transform detects the format per line; this names the agent's tag for the file, so
   * operators and the agent's metrics can tell files apart.
   */
  readonly format: string;
  /**
   * Where the file's lines go: the Kinesis stream, the Kafka log topic, or both (each line once per path;
   * the two paths' records differ in `source` and event id, so the curated table holds both).
   * @default ['kinesis']
   */
  readonly destinations?: readonly ShipDestination[];
}

/** The two ingest paths a file can ship to. */
export const SHIP_DESTINATIONS = ['kinesis', 'kafka'] as const;
export type ShipDestination = (typeof SHIP_DESTINATIONS)[number];

/** A file's destinations, with the documented default. */
export function destinationsOf(file: LogFileConfig): readonly ShipDestination[] {
  return file.destinations ?? ['kinesis'];
}

/** How the agent batches, retries and buffers. */
export interface AgentTuning {
  /** Seconds the agent collects lines before a flush (packed into records of up to 1 MiB, up to 500 records per PutRecords call), 1–60. */
  readonly flushSeconds: number;
  /**
   * Retries of a failed flush before its lines are dropped, 1–1000, or 'no_limits' to retry until the buffer
   * below is full (then the oldest chunks go first).
   */
  readonly retryLimit: number | 'no_limits';
  /** First retry waits up to this many seconds (exponential backoff with jitter from here), 1–60. */
  readonly retryBaseSeconds: number;
  /** No retry waits longer than this, in seconds: at least retryBaseSeconds, at most 3600. */
  readonly retryCapSeconds: number;
  /** Disk the agent may use to buffer lines it could not send yet, in MiB, 16–4096. */
  readonly bufferLimitMiB: number;
}

export interface DemoGeneratorConfig {
  /** Run the demo log generator on the host (one service per format, writing under /var/log/demo). */
  readonly enabled: boolean;
  /** Lines per second each generator service writes, 0.1–1000. */
  readonly linesPerSecond: number;
}

/** Directory the demo generator writes to (one file per format); configured files must stay out of it. */
export const DEMO_LOG_DIR = '/var/log/demo';

export const HOST_SUBNET_CHOICES = ['public', 'private-with-nat'] as const;

/**
 * 'latest': Amazon Linux 2023's current image, read from its public SSM parameter at every deploy (a deploy
 * after a new image replaces the host). 'pinned': the AMI id cdk.json pins for the region
 * (lib/constructs/log-host/machine-image.ts); the host changes only when the pin does.
 */
export const HOST_IMAGE_CHOICES = ['latest', 'pinned'] as const;
export type HostImageChoice = (typeof HOST_IMAGE_CHOICES)[number];
export type HostSubnetChoice = (typeof HOST_SUBNET_CHOICES)[number];

export interface HostConfig {
  /** EC2 instance type, e.g. 't4g.small' (Graviton: the image's architecture follows the type). */
  readonly instanceType: string;
  /** Size of the encrypted gp3 root volume in GiB, 8–1024 (the agent's buffer lives on it). */
  readonly rootVolumeGiB: number;
  /**
   * 'public': the host sits in a public subnet with a public IP for egress through the internet gateway
   * (no NAT gateway to pay for; the security group still admits nothing inbound).
   * 'private-with-nat': the host has no public IP and leaves through a NAT gateway.
   */
  readonly subnet: HostSubnetChoice;
  /** Protect the instance from termination (the stack cannot delete it until this is turned off). */
  readonly terminationProtection: boolean;
  /**
   * Which image the host runs (see HOST_IMAGE_CHOICES). With terminationProtection it must be 'pinned': a
   * replaced protected instance is not deleted by CloudFormation and keeps running.
   */
  readonly image: HostImageChoice;
  /** Files the agent ships besides the demo generator's. */
  readonly logFiles: readonly LogFileConfig[];
  /**
   * Ship the host's own system log, the systemd journal (Amazon Linux 2023 keeps no /var/log/messages), with
   * Fluent Bit's systemd input: each entry reaches the transform as one JSON object (MESSAGE, PRIORITY,
   * SYSLOG_IDENTIFIER, _SYSTEMD_UNIT, _HOSTNAME, _PID, ... and its time) and lands as a `json` record.
   * @default true
   */
  readonly systemJournal?: boolean;
  readonly agent: AgentTuning;
  readonly demoGenerator: DemoGeneratorConfig;
}

/** Problems with one list of files, each naming the setting as `<prefix>[i].path` etc. */
export function logFileProblems(files: readonly LogFileConfig[], prefix: string, customFormats: readonly string[] = []): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  files.forEach((file, i) => {
    const setting = `${prefix}[${i}]`;
    const path: unknown = file.path;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      problems.push(`${setting}.path must be an absolute path (got '${String(path)}')`);
    } else if (/[\s,'"\\]/.test(path) || [...path].some((char) => char.charCodeAt(0) < 0x20)) {
      // Fluent Bit reads a comma as a list of paths; quotes and whitespace would break the boot script.
      problems.push(`${setting}.path must not contain whitespace, commas, quotes or backslashes (got '${path}')`);
    } else if (path.split('/').includes('..')) {
      problems.push(`${setting}.path must not contain '..' (got '${path}')`);
    } else if (path.endsWith('/')) {
      problems.push(`${setting}.path must name a file, not a directory (got '${path}')`);
    } else if (seen.has(path)) {
      problems.push(`${setting}.path is already shipped by ${prefix}[${seen.get(path)}] (got '${path}')`);
    } else {
      seen.set(path, i);
    }
    const formats = [...LOG_FILE_FORMATS, ...customFormats];
    if (!formats.includes(file.format)) {
      problems.push(`${setting}.format must be one of ${formats.join(', ')} (got '${String(file.format)}')`);
    }
    if (file.destinations !== undefined) {
      const destinations: unknown = file.destinations;
      const valid =
        Array.isArray(destinations) &&
        destinations.length > 0 &&
        destinations.every((d) => (SHIP_DESTINATIONS as readonly unknown[]).includes(d)) &&
        new Set(destinations).size === destinations.length;
      if (!valid) {
        problems.push(`${setting}.destinations must list 'kinesis', 'kafka' or both, once each (got ${JSON.stringify(destinations)})`);
      }
    }
  });
  return problems;
}

/** Problems with the agent's batching, retry and buffer settings. */
export function agentTuningProblems(tuning: AgentTuning, prefix: string): string[] {
  const problems: string[] = [];
  const integer = (setting: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${prefix}.${setting} must be an integer between ${min} and ${max} (got ${value})`);
    }
  };
  integer('flushSeconds', tuning.flushSeconds, 1, 60);
  if (tuning.retryLimit !== 'no_limits') {
    if (
      typeof tuning.retryLimit !== 'number' ||
      !Number.isInteger(tuning.retryLimit) ||
      tuning.retryLimit < 1 ||
      tuning.retryLimit > 1000
    ) {
      problems.push(`${prefix}.retryLimit must be an integer between 1 and 1000 or 'no_limits' (got ${String(tuning.retryLimit)})`);
    }
  }
  integer('retryBaseSeconds', tuning.retryBaseSeconds, 1, 60);
  integer('retryCapSeconds', tuning.retryCapSeconds, Math.max(1, tuning.retryBaseSeconds), 3600);
  integer('bufferLimitMiB', tuning.bufferLimitMiB, 16, 4096);
  return problems;
}

/** EC2 instance type names: family (letters, digits, dashes and flags like 'g', 'd', 'n') '.' size. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/**
 * Every problem with a host config, one string each; empty when the config is valid.
 * @param prefix how the settings are named in messages, e.g. 'host' for `host.instanceType`
 */
/** @param customFormats the names of the stage's custom formats, which a log file may name too */
export function validateHostConfig(config: HostConfig, prefix = 'host', customFormats: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (typeof config.instanceType !== 'string' || !INSTANCE_TYPE.test(config.instanceType)) {
    problems.push(`${prefix}.instanceType must be an EC2 instance type such as 't4g.small' (got '${String(config.instanceType)}')`);
  }
  if (!Number.isInteger(config.rootVolumeGiB) || config.rootVolumeGiB < 8 || config.rootVolumeGiB > 1024) {
    problems.push(`${prefix}.rootVolumeGiB must be an integer between 8 and 1024 (got ${config.rootVolumeGiB})`);
  }
  if (!(HOST_SUBNET_CHOICES as readonly string[]).includes(config.subnet)) {
    problems.push(`${prefix}.subnet must be one of ${HOST_SUBNET_CHOICES.join(', ')} (got '${String(config.subnet)}')`);
  }
  if (typeof config.terminationProtection !== 'boolean') {
    problems.push(`${prefix}.terminationProtection must be true or false (got ${String(config.terminationProtection)})`);
  }
  if (!(HOST_IMAGE_CHOICES as readonly string[]).includes(config.image)) {
    problems.push(`${prefix}.image must be one of ${HOST_IMAGE_CHOICES.join(', ')} (got '${String(config.image)}')`);
  } else if (config.terminationProtection === true && config.image !== 'pinned') {
    problems.push(
      `${prefix}.image must be 'pinned' when ${prefix}.terminationProtection is on (got '${config.image}'): a new image replaces the host, and CloudFormation cannot delete the protected old one, which keeps running`,
    );
  }
  if (config.systemJournal !== undefined && typeof config.systemJournal !== 'boolean') {
    problems.push(`${prefix}.systemJournal must be true or false (got ${String(config.systemJournal)})`);
  }
  problems.push(...logFileProblems(config.logFiles, `${prefix}.logFiles`, customFormats));
  problems.push(...agentTuningProblems(config.agent, `${prefix}.agent`));

  const demo = config.demoGenerator;
  if (typeof demo.enabled !== 'boolean') {
    problems.push(`${prefix}.demoGenerator.enabled must be true or false (got ${String(demo.enabled)})`);
  }
  if (typeof demo.linesPerSecond !== 'number' || !(demo.linesPerSecond >= 0.1 && demo.linesPerSecond <= 1000)) {
    problems.push(`${prefix}.demoGenerator.linesPerSecond must be a number between 0.1 and 1000 (got ${demo.linesPerSecond})`);
  }
  if (demo.enabled === true) {
    config.logFiles.forEach((file, i) => {
      if (typeof file.path === 'string' && file.path.startsWith(`${DEMO_LOG_DIR}/`)) {
        problems.push(
          `${prefix}.logFiles[${i}].path must be outside ${DEMO_LOG_DIR}, which the demo generator writes (got '${file.path}')`,
        );
      }
    });
  }
  if (config.logFiles.length === 0 && demo.enabled === false && config.systemJournal === false) {
    problems.push(
      `${prefix}.logFiles must list at least one file when ${prefix}.demoGenerator and ${prefix}.systemJournal are off (got none)`,
    );
  }
  // The OS, the packages and the log files themselves need the rest of the disk.
  const maxBufferMiB = config.rootVolumeGiB * 256;
  const bothInRange = problems.every((p) => !p.startsWith(`${prefix}.rootVolumeGiB `) && !p.startsWith(`${prefix}.agent.bufferLimitMiB `));
  if (bothInRange && config.agent.bufferLimitMiB > maxBufferMiB) {
    problems.push(
      `${prefix}.agent.bufferLimitMiB must be at most a quarter of the root volume, ${maxBufferMiB} MiB (got ${config.agent.bufferLimitMiB})`,
    );
  }
  return problems;
}

/** Problems of the host's placement in the stage's network: its subnets need a route to the internet. */
export function hostPlacementProblems(config: HostConfig, network: NetworkConfig, prefix = 'host'): string[] {
  if (config.subnet === 'public' && network.publicSubnets === false) {
    return [
      `${prefix}.subnet must not be 'public' when network.publicSubnets is false (got 'public'): use 'private-with-nat' with network.privateEgress 'nat-gateway'`,
    ];
  }
  if (config.subnet === 'private-with-nat' && network.privateEgress !== 'nat-gateway') {
    return [
      `${prefix}.subnet 'private-with-nat' needs network.privateEgress 'nat-gateway' (got '${network.privateEgress}'): the agent installs from its package repository`,
    ];
  }
  return [];
}
