/**
 * Renders the Fluent Bit configuration (YAML format) of the log host's agent from typed props.
 *
 * Pure: no AWS calls, no file system. The construct passes CDK tokens for the stream name, region and log
 * group (resolved by CloudFormation inside the user data); tests pass plain strings and check the exact text.
 *
 * What the rendered pipeline does:
 * - one `tail` input per file, with its own SQLite checkpoint DB (offsets survive restarts), `rotate_wait` so
 *   a rotated file is read to its end, and filesystem buffering (lines read but not yet sent survive a restart);
 * - one `kinesis_streams` output with `log_key log`: each line goes to Kinesis unchanged, as the transform
 *   Lambda expects to detect its format; PutRecords batching, retries with exponential backoff. With
 *   `simple_aggregation` the lines of one flush are packed into records of up to 1 MiB, each line followed by
 *   '\n' (see KINESIS_AGGREGATED_RECORD_MAX_BYTES): Kinesis and Firehose bill per record (1 KB and 5 KB steps),
 *   so one 154-byte line a record would pay 6.6× and 33× its size. The transform splits a record into lines
 *   and the line's index within the record is part of its event id, so ids stay stable when a record is retried;
 * - with `systemJournal` (on by default), a `systemd` input reading the journal (cursor in its own DB) and a
 *   second `kinesis_streams` output to the same stream without `log_key`: the whole entry goes as one JSON
 *   object of its journal fields, underscores kept (_HOSTNAME, _SYSTEMD_UNIT, _PID are the fields journald
 *   vouches for), plus `time` (the entry's time, UTC with ms) from `time_key`; the transform's JSON parser
 *   knows those keys. The agent runs as root (the package's unit), which may read the journal;
 * - the agent's own log (`fluentbit_logs` input) to a CloudWatch Logs group, one stream per instance.
 */
import { createHash } from 'node:crypto';
import { Token } from 'aws-cdk-lib';
import { ConfigError } from '../../problems';
import { destinationsOf, type AgentTuning, type LogFileConfig } from './host-config';

/** Where the agent keeps its state on the host. */
export const AGENT_PATHS = {
  config: '/etc/fluent-bit/log-pipeline.yaml',
  environment: '/etc/fluent-bit/log-pipeline.env',
  state: '/var/lib/fluent-bit',
  storage: '/var/lib/fluent-bit/storage',
} as const;

/** Local-only HTTP endpoint of the agent (health and metrics, e.g. `curl -s 127.0.0.1:2020/api/v1/metrics`). */
export const AGENT_HTTP_PORT = 2020;

/**
 * The largest record the `kinesis_streams` output packs with `simple_aggregation` (Fluent Bit's MAX_EVENT_SIZE
 * in plugins/out_kinesis_streams/kinesis_api.h: 1 MiB less 20 bytes kept for the partition key). Each event is
 * written as its `log_key` value (or JSON object) followed by '\n' until the next would pass this; what a flush
 * holds is sent at its end (src/aws/flb_aws_aggregation.c). Read as of 4.2.2, the release that added the option
 * (https://github.com/fluent/fluent-bit/pull/11284); not re-read at the pinned FLUENT_BIT_VERSION.
 */
export const KINESIS_AGGREGATED_RECORD_MAX_BYTES = 1_048_556;

/** Tag prefix of every shipped file; the Kinesis output matches `log.*`. */
const FILE_TAG_PREFIX = 'log';
/** Tag of the agent's own log records. */
const AGENT_LOG_TAG = 'agent.logs';
/** Tag of the host's journal entries. */
const JOURNAL_TAG = 'journal';
/** Cursor DB of the journal input: a restart resumes after the last entry read. */
export const JOURNAL_DB = `${AGENT_PATHS.state}/journal.db`;
/**
 * The journal's share of `tuning.bufferLimitMiB` (its output buffers apart from the files'), so the two
 * outputs together stay within the limit the stage config sets.
 */
const JOURNAL_BUFFER_SHARE = 0.25;

export interface AgentConfigProps {
  /** Files to tail, with the format each holds. */
  readonly files: readonly LogFileConfig[];
  /** Name of the Kinesis stream the lines go to. */
  readonly streamName: string;
  /** Region of the stream and the log group. */
  readonly region: string;
  /** CloudWatch Logs group that receives the agent's own log. */
  readonly agentLogGroupName: string;
  /** Batching, retries and buffer size. */
  readonly tuning: AgentTuning;
  /**
   * Also ship the host's systemd journal (see HostConfig.systemJournal).
   * @default true
   */
  readonly systemJournal?: boolean;
  /**
   * The MSK cluster and topic of files whose destinations include 'kafka'.
   * @default - none; a file for Kafka is then a problem
   */
  readonly kafka?: AgentKafkaOutput;
}

/** Where the Kafka output writes: SASL/IAM brokers of an MSK cluster and the log topic. */
export interface AgentKafkaOutput {
  /** Comma-separated `host:9098` SASL/IAM bootstrap brokers. */
  readonly brokers: string;
  /** ARN of the cluster: Fluent Bit signs MSK IAM tokens for its region. */
  readonly clusterArn: string;
  readonly topic: string;
}

/**
 * Every problem with the props the renderer alone receives, one string each; empty when they render. The
 * files and the tuning come from a HostConfig, which validateHostConfig has checked once already.
 */
export function agentConfigProblems(props: AgentConfigProps): string[] {
  const problems: string[] = [];
  // The files themselves (and systemJournal) are checked by validateHostConfig; shipping nothing is not a config.
  if (props.files.length === 0 && props.systemJournal === false) {
    problems.push('files must list at least one log file to ship when systemJournal is off (got none)');
  }
  problems.push(...nameProblems('streamName', props.streamName, 'the Kinesis stream', /^[a-zA-Z0-9_.-]{1,128}$/));
  problems.push(...nameProblems('region', props.region, 'an AWS region such as eu-west-1', /^[a-z]{2}(-[a-z]+)+-\d$/));
  problems.push(...nameProblems('agentLogGroupName', props.agentLogGroupName, 'a CloudWatch Logs group', /^[\w\-./#]{1,512}$/));
  const kafkaFiles = props.files.filter((file) => destinationsOf(file).includes('kafka'));
  if (kafkaFiles.length > 0 && props.kafka === undefined) {
    problems.push(
      `kafka must name the cluster and topic when files ship to Kafka (got none for ${kafkaFiles.map((f) => f.path).join(', ')})`,
    );
  }
  if (props.kafka !== undefined) {
    problems.push(
      ...nameProblems(
        'kafka.brokers',
        props.kafka.brokers,
        'SASL/IAM bootstrap brokers such as b-1.x:9098',
        /^[\w.-]+:\d+(,[\w.-]+:\d+)*$/,
      ),
    );
    problems.push(
      ...nameProblems('kafka.clusterArn', props.kafka.clusterArn, 'an MSK cluster ARN', /^arn:[\w-]+:kafka:[\w-]+:\d{12}:cluster\/.+$/),
    );
    problems.push(...nameProblems('kafka.topic', props.kafka.topic, 'a Kafka topic', /^[a-zA-Z0-9._-]{1,249}$/));
  }
  return problems;
}

function nameProblems(setting: string, value: string | undefined, what: string, pattern: RegExp): string[] {
  if (typeof value !== 'string' || value === '') return [`${setting} must name ${what} (got '${value ?? ''}')`];
  // A token is checked by CloudFormation at deploy time; only a literal can be checked here.
  if (Token.isUnresolved(value)) return [];
  return pattern.test(value) ? [] : [`${setting} must name ${what} (got '${value}')`];
}

/** Tag of a file's records: `log.<format>.<hash of path>`; stable when the file list is reordered. */
export function fileTag(file: LogFileConfig): string {
  return `${FILE_TAG_PREFIX}.${file.format}.${pathHash(file.path)}`;
}

/** The checkpoint DB of a file's tail input, keyed by path so reordering files keeps every offset. */
export function checkpointDb(file: LogFileConfig): string {
  return `${AGENT_PATHS.state}/tail-${pathHash(file.path)}.db`;
}

function pathHash(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 12);
}

/**
 * The `match` of an output shipping some of the files: `log.*` when it ships them all (the common case,
 * and what an agent shipping only to Kinesis has always had), else a regex of exactly their tags.
 */
function matchOf(files: readonly LogFileConfig[], all: readonly LogFileConfig[]): string {
  if (files.length === all.length) return `      match: ${quoted(`${FILE_TAG_PREFIX}.*`)}`;
  return `      match_regex: ${quoted(`^(${files.map((file) => fileTag(file).replace(/\./g, '\\.')).join('|')})$`)}`;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML); tokens pass through unchanged. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

/** Renders the agent's YAML configuration; throws a ConfigError listing every problem. */
export function renderAgentConfig(props: AgentConfigProps): string {
  const problems = agentConfigProblems(props);
  if (problems.length > 0) throw new ConfigError(problems);
  const { tuning } = props;

  const lines: string[] = [
    '# Fluent Bit configuration of the log pipeline host agent.',
    '# Rendered at synth by lib/constructs/log-host/agent-config.ts: change the stage config, not this file',
    '# (the boot script rewrites it on every boot).',
    'service:',
    `  flush: ${tuning.flushSeconds}`,
    // Seconds to finish in-flight flushes on SIGTERM (systemd stop, reboot) before exiting.
    '  grace: 30',
    '  log_level: info',
    // Local only: the security group admits nothing, and this binds to loopback anyway.
    '  http_server: on',
    '  http_listen: 127.0.0.1',
    `  http_port: ${AGENT_HTTP_PORT}`,
    '  health_check: on',
    `  storage.path: ${AGENT_PATHS.storage}`,
    '  storage.sync: normal',
    '  storage.backlog.mem_limit: 16M',
    `  scheduler.base: ${tuning.retryBaseSeconds}`,
    `  scheduler.cap: ${tuning.retryCapSeconds}`,
    'pipeline:',
    '  inputs:',
  ];
  for (const file of props.files) {
    lines.push(
      '    - name: tail',
      `      tag: ${fileTag(file)}`,
      `      path: ${quoted(file.path)}`,
      // Offsets per file; with read_from_head a new file is shipped whole, a known one resumes where it was.
      `      db: ${checkpointDb(file)}`,
      '      db.sync: normal',
      '      db.locking: true',
      '      read_from_head: true',
      '      refresh_interval: 10',
      // A rotated file is still read for this long, so lines written just before rotation are not lost.
      '      rotate_wait: 30',
      // A line longer than buffer_max_size is skipped (and logged); without this the file would stop being read.
      '      skip_long_lines: on',
      '      buffer_chunk_size: 32k',
      '      buffer_max_size: 256k',
      '      storage.type: filesystem',
    );
  }
  const journal = props.systemJournal ?? true;
  if (journal) {
    lines.push(
      '    - name: systemd',
      `      tag: ${JOURNAL_TAG}`,
      // With no cursor yet (a new host) the journal is read from its head: this machine's entries since boot,
      // as a new file is shipped whole; afterwards the cursor resumes where the agent stopped.
      `      db: ${JOURNAL_DB}`,
      '      db.sync: normal',
      '      read_from_tail: off',
      // The transform maps _HOSTNAME, _SYSTEMD_UNIT and _PID by these names.
      '      strip_underscores: off',
      '      lowercase: off',
      '      storage.type: filesystem',
    );
  }
  const journalBufferMiB = journal ? Math.floor(tuning.bufferLimitMiB * JOURNAL_BUFFER_SHARE) : 0;
  const kinesisFiles = props.files.filter((file) => destinationsOf(file).includes('kinesis'));
  const kafkaFiles = props.files.filter((file) => destinationsOf(file).includes('kafka'));
  // The files' share of the buffer, split between the outputs that ship them.
  const filesBufferMiB = tuning.bufferLimitMiB - journalBufferMiB;
  const kafkaBufferMiB = kafkaFiles.length === 0 ? 0 : kinesisFiles.length === 0 ? filesBufferMiB : Math.floor(filesBufferMiB / 2);
  lines.push('    - name: fluentbit_logs', `      tag: ${AGENT_LOG_TAG}`, '  outputs:');
  if (kinesisFiles.length > 0) {
    lines.push(
      '    - name: kinesis_streams',
      matchOf(kinesisFiles, props.files),
      `      region: ${quoted(props.region)}`,
      `      stream: ${quoted(props.streamName)}`,
      // Ship the line itself, not a JSON wrapper: the transform detects the format of the raw line.
      '      log_key: log',
      // One record per flush (up to 1 MiB), the lines '\n'-separated: billed per record, not per line.
      '      simple_aggregation: true',
      '      auto_retry_requests: true',
      `      retry_limit: ${tuning.retryLimit}`,
      `      storage.total_limit_size: ${filesBufferMiB - kafkaBufferMiB}M`,
    );
  }
  if (kafkaFiles.length > 0 && props.kafka !== undefined) {
    lines.push(
      '    - name: kafka',
      matchOf(kafkaFiles, props.files),
      `      brokers: ${quoted(props.kafka.brokers)}`,
      `      topics: ${quoted(props.kafka.topic)}`,
      // The line itself as the message value, as on the Kinesis path: the consumer detects its format.
      '      format: raw',
      '      raw_log_key: log',
      // MSK IAM (SASL/OAUTHBEARER signed with the instance role) over TLS on 9098: Fluent Bit 4.0.4 and later.
      '      aws_msk_iam: true',
      `      aws_msk_iam_cluster_arn: ${quoted(props.kafka.clusterArn)}`,
      '      rdkafka.security.protocol: SASL_SSL',
      // An idempotent producer with acks=all: a retried send neither duplicates nor reorders a partition.
      '      rdkafka.enable.idempotence: true',
      '      rdkafka.request.required.acks: -1',
      // lz4 is built into librdkafka itself (zstd needs a system library the package may lack).
      '      rdkafka.compression.codec: lz4',
      `      retry_limit: ${tuning.retryLimit}`,
      `      storage.total_limit_size: ${kafkaBufferMiB}M`,
    );
  }
  if (journal) {
    lines.push(
      '    - name: kinesis_streams',
      `      match: ${JOURNAL_TAG}`,
      `      region: ${quoted(props.region)}`,
      `      stream: ${quoted(props.streamName)}`,
      // No log_key: the whole entry, one JSON object of its fields. The entry's time is the record's
      // timestamp in Fluent Bit, not a field: time_key adds it (gmtime, so 'Z' is right).
      '      time_key: time',
      `      time_key_format: ${quoted('%Y-%m-%dT%H:%M:%S.%3NZ')}`,
      // Entries packed as JSON lines, one object a line, as the files' lines are.
      '      simple_aggregation: true',
      '      auto_retry_requests: true',
      `      retry_limit: ${tuning.retryLimit}`,
      `      storage.total_limit_size: ${journalBufferMiB}M`,
    );
  }
  lines.push(
    '    - name: cloudwatch_logs',
    `      match: ${AGENT_LOG_TAG}`,
    `      region: ${quoted(props.region)}`,
    `      log_group_name: ${quoted(props.agentLogGroupName)}`,
    // INSTANCE_ID comes from the environment file the boot script writes (Fluent Bit expands ${VAR}).
    `      log_stream_name: ${quoted('${INSTANCE_ID}')}`,
    // The group is created (with retention and encryption) by CDK; the role may not create groups.
    '      auto_create_group: false',
    '      retry_limit: 5',
    '',
  );
  return lines.join('\n');
}
