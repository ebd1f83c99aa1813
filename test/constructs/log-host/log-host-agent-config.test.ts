import * as cdk from 'aws-cdk-lib';
import { ConfigError } from '../../../lib/problems';
import { STAGE_CONFIGS } from '../../../lib/config';
import { FLUENT_BIT_VERSION } from '../../../lib/constructs/log-host/boot-script';
import { parse } from 'yaml';
import {
  agentConfigProblems,
  checkpointDb,
  fileTag,
  renderAgentConfig,
  renderBootScript,
  type AgentConfigProps,
} from '../../../lib/constructs/log-host';
import { parseLine } from '../../../lambda/shared/parsers';

const PROPS: AgentConfigProps = {
  files: [
    { path: '/var/log/nginx/access.log', format: 'combined' },
    { path: '/var/log/app/*.json.log', format: 'json' },
  ],
  streamName: 'LogPipeline-dev-Data-IngestStream1234-AbCdEf',
  region: 'eu-west-1',
  agentLogGroupName: 'LogPipeline-dev-Host-LogHostAgentLogs-XyZ',
  tuning: { flushSeconds: 5, retryLimit: 'no_limits', retryBaseSeconds: 5, retryCapSeconds: 300, bufferLimitMiB: 1024 },
};

const EXPECTED = `# Fluent Bit configuration of the log pipeline host agent.
# Rendered at synth by lib/constructs/log-host/agent-config.ts: change the stage config, not this file
# (the boot script rewrites it on every boot).
service:
  flush: 5
  grace: 30
  log_level: info
  http_server: on
  http_listen: 127.0.0.1
  http_port: 2020
  health_check: on
  storage.path: /var/lib/fluent-bit/storage
  storage.sync: normal
  storage.backlog.mem_limit: 16M
  scheduler.base: 5
  scheduler.cap: 300
pipeline:
  inputs:
    - name: tail
      tag: log.combined.32d34ffbc65f
      path: "/var/log/nginx/access.log"
      db: /var/lib/fluent-bit/tail-32d34ffbc65f.db
      db.sync: normal
      db.locking: true
      read_from_head: true
      refresh_interval: 10
      rotate_wait: 30
      skip_long_lines: on
      buffer_chunk_size: 32k
      buffer_max_size: 256k
      storage.type: filesystem
    - name: tail
      tag: log.json.828cfcc71bfb
      path: "/var/log/app/*.json.log"
      db: /var/lib/fluent-bit/tail-828cfcc71bfb.db
      db.sync: normal
      db.locking: true
      read_from_head: true
      refresh_interval: 10
      rotate_wait: 30
      skip_long_lines: on
      buffer_chunk_size: 32k
      buffer_max_size: 256k
      storage.type: filesystem
    - name: systemd
      tag: journal
      db: /var/lib/fluent-bit/journal.db
      db.sync: normal
      read_from_tail: off
      strip_underscores: off
      lowercase: off
      storage.type: filesystem
    - name: fluentbit_logs
      tag: agent.logs
  outputs:
    - name: kinesis_streams
      match: "log.*"
      region: "eu-west-1"
      stream: "LogPipeline-dev-Data-IngestStream1234-AbCdEf"
      log_key: log
      simple_aggregation: true
      auto_retry_requests: true
      retry_limit: no_limits
      storage.total_limit_size: 768M
    - name: kinesis_streams
      match: journal
      region: "eu-west-1"
      stream: "LogPipeline-dev-Data-IngestStream1234-AbCdEf"
      time_key: time
      time_key_format: "%Y-%m-%dT%H:%M:%S.%3NZ"
      simple_aggregation: true
      auto_retry_requests: true
      retry_limit: no_limits
      storage.total_limit_size: 256M
    - name: cloudwatch_logs
      match: agent.logs
      region: "eu-west-1"
      log_group_name: "LogPipeline-dev-Host-LogHostAgentLogs-XyZ"
      log_stream_name: "\${INSTANCE_ID}"
      auto_create_group: false
      retry_limit: 5
`;

/**
 * Keys each section and plugin accepts, from the Fluent Bit manual (service section, tail, systemd and
 * fluentbit_logs inputs, kinesis_streams and cloudwatch_logs outputs, and the keys every input/output takes).
 * A key outside these would be a typo that Fluent Bit rejects or, worse, ignores.
 */
const COMMON_INPUT_KEYS = ['name', 'tag', 'storage.type', 'mem_buf_limit', 'storage.pause_on_chunks_overlimit', 'threaded'];
const COMMON_OUTPUT_KEYS = ['name', 'match', 'match_regex', 'retry_limit', 'storage.total_limit_size', 'workers'];
const KNOWN_KEYS: Record<string, readonly string[]> = {
  service: [
    'flush',
    'grace',
    'daemon',
    'log_file',
    'log_level',
    'http_server',
    'http_listen',
    'http_port',
    'health_check',
    'hc_errors_count',
    'hc_retry_failure_count',
    'hc_period',
    'storage.path',
    'storage.sync',
    'storage.checksum',
    'storage.backlog.mem_limit',
    'storage.max_chunks_up',
    'storage.metrics',
    'scheduler.base',
    'scheduler.cap',
    'parsers_file',
    'plugins_file',
  ],
  tail: [
    ...COMMON_INPUT_KEYS,
    'path',
    'exclude_path',
    'path_key',
    'offset_key',
    'db',
    'db.sync',
    'db.locking',
    'db.journal_mode',
    'db.compare_filename',
    'read_from_head',
    'refresh_interval',
    'rotate_wait',
    'ignore_older',
    'skip_long_lines',
    'skip_empty_lines',
    'buffer_chunk_size',
    'buffer_max_size',
    'key',
    'inotify_watcher',
    'parser',
    'multiline.parser',
    'static_batch_size',
  ],
  systemd: [
    ...COMMON_INPUT_KEYS,
    'path',
    'max_fields',
    'max_entries',
    'systemd_filter',
    'systemd_filter_type',
    'db',
    'db.sync',
    'read_from_tail',
    'lowercase',
    'strip_underscores',
  ],
  fluentbit_logs: COMMON_INPUT_KEYS,
  kinesis_streams: [
    ...COMMON_OUTPUT_KEYS,
    'region',
    'stream',
    'log_key',
    'time_key',
    'time_key_format',
    'role_arn',
    'external_id',
    'endpoint',
    'sts_endpoint',
    'port',
    'profile',
    'auto_retry_requests',
    'simple_aggregation',
    'compression',
  ],
  // docs.fluentbit.io/manual/data-pipeline/outputs/kafka (4.2 and later list aws_msk_iam, aws_msk_iam_cluster_arn).
  kafka: [
    ...COMMON_OUTPUT_KEYS,
    'format',
    'message_key',
    'message_key_field',
    'timestamp_key',
    'timestamp_format',
    'brokers',
    'topics',
    'topic_key',
    'dynamic_topic',
    'queue_full_retries',
    'raw_log_key',
    'aws_msk_iam',
    'aws_msk_iam_cluster_arn',
    'rdkafka.security.protocol',
    'rdkafka.enable.idempotence',
    'rdkafka.request.required.acks',
    'rdkafka.compression.codec',
  ],
  cloudwatch_logs: [
    ...COMMON_OUTPUT_KEYS,
    'region',
    'log_group_name',
    'log_group_template',
    'log_stream_name',
    'log_stream_prefix',
    'log_stream_template',
    'log_key',
    'log_format',
    'role_arn',
    'auto_create_group',
    'log_retention_days',
    'endpoint',
    'sts_endpoint',
    'metric_namespace',
    'metric_dimensions',
    'auto_retry_requests',
    'external_id',
    'profile',
  ],
};

interface ParsedConfig {
  service: Record<string, unknown>;
  pipeline: { inputs: Array<Record<string, unknown>>; outputs: Array<Record<string, unknown>> };
}

function parsed(props: AgentConfigProps = PROPS): ParsedConfig {
  return parse(renderAgentConfig(props)) as ParsedConfig;
}

function errorOf(props: AgentConfigProps): ConfigError {
  try {
    renderAgentConfig(props);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('renderAgentConfig accepted invalid props');
}

describe('renderAgentConfig', () => {
  test('renders the exact Fluent Bit YAML for the given files, stream, region and tuning', () => {
    expect(renderAgentConfig(PROPS)).toBe(EXPECTED);
  });

  test('is valid YAML with only the top-level sections Fluent Bit defines', () => {
    const config = parsed();
    expect(Object.keys(config).sort()).toEqual(['pipeline', 'service']);
    expect(Object.keys(config.pipeline).sort()).toEqual(['inputs', 'outputs']);
  });

  test('uses only keys the Fluent Bit manual lists for each section and plugin', () => {
    const config = parsed();
    const unknown: string[] = [];
    const check = (where: string, section: Record<string, unknown>, known: readonly string[] | undefined): void => {
      if (!known) {
        unknown.push(`${where}: plugin '${String(section.name)}' is not one the tests know`);
        return;
      }
      for (const key of Object.keys(section)) if (!known.includes(key)) unknown.push(`${where}.${key}`);
    };
    check('service', config.service, KNOWN_KEYS.service);
    config.pipeline.inputs.forEach((input, i) => check(`inputs[${i}]`, input, KNOWN_KEYS[String(input.name)]));
    config.pipeline.outputs.forEach((output, i) => check(`outputs[${i}]`, output, KNOWN_KEYS[String(output.name)]));
    expect(unknown).toEqual([]);
  });

  test('tails every file with its own checkpoint DB, rotation wait and filesystem buffering', () => {
    const tails = parsed().pipeline.inputs.filter((input) => input.name === 'tail');
    expect(tails.map((t) => t.path)).toEqual(PROPS.files.map((f) => f.path));
    expect(new Set(tails.map((t) => t.db)).size).toBe(tails.length);
    for (const tail of tails) {
      expect(tail).toMatchObject({
        'db.locking': true,
        read_from_head: true,
        rotate_wait: 30,
        'storage.type': 'filesystem',
        skip_long_lines: 'on',
      });
    }
  });

  /** The input tags an output's match pattern selects. */
  const matchedTags = (config: ParsedConfig, output: Record<string, unknown> | undefined): string[] => {
    const match = new RegExp(`^${String(output?.match).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
    return config.pipeline.inputs.map((input) => String(input.tag)).filter((tag) => match.test(tag));
  };

  test('ships the raw line (log_key log) of every file tag to the stream, the journal whole, and nothing else there', () => {
    const config = parsed();
    const [files, journal, ...others] = config.pipeline.outputs.filter((o) => o.name === 'kinesis_streams');
    expect(others).toEqual([]);
    expect(files).toMatchObject({ stream: PROPS.streamName, region: 'eu-west-1', log_key: 'log', retry_limit: 'no_limits' });
    expect(matchedTags(config, files)).toEqual(PROPS.files.map(fileTag));
    // The journal entry goes whole (no log_key) with its time added, to the same stream, with the same retries.
    expect(journal).toMatchObject({ stream: PROPS.streamName, region: 'eu-west-1', time_key: 'time', retry_limit: 'no_limits' });
    expect(journal).not.toHaveProperty('log_key');
    expect(matchedTags(config, journal)).toEqual(['journal']);
    const shipped = new Set([...matchedTags(config, files), ...matchedTags(config, journal)]);
    expect(config.pipeline.inputs.map((input) => String(input.tag)).filter((tag) => !shipped.has(tag))).toEqual(['agent.logs']);
  });

  // Kinesis Data Streams and Firehose bill per record (Amazon Kinesis Data Streams pricing,
  // https://aws.amazon.com/kinesis/data-streams/pricing/; Amazon Data Firehose pricing, https://aws.amazon.com/firehose/pricing/):
  // both Kinesis outputs pack a flush into records with simple_aggregation, which Fluent Bit has from 4.2.2
  // (https://github.com/fluent/fluent-bit/pull/11284, in the 4.2.2 release notes).
  test('both Kinesis outputs pack each flush into records (simple_aggregation), on a Fluent Bit that has it', () => {
    const outputs = parsed().pipeline.outputs.filter((o) => o.name === 'kinesis_streams');
    expect(outputs).toHaveLength(2);
    for (const output of outputs) expect(output.simple_aggregation).toBe(true);
    const [major, minor, patch] = FLUENT_BIT_VERSION.split('.').map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(4_002_002);
    // A flush of a few seconds keeps the lake as fresh as before (Firehose buffers 60 s or more after it).
    for (const config of Object.values(STAGE_CONFIGS)) expect(config.host.agent.flushSeconds).toBeLessThanOrEqual(5);
  });

  test('reads the journal with a cursor DB, from its head on a new host, trusted field names kept', () => {
    const journal = parsed().pipeline.inputs.find((input) => input.name === 'systemd');
    expect(journal).toEqual({
      name: 'systemd',
      tag: 'journal',
      db: '/var/lib/fluent-bit/journal.db',
      'db.sync': 'normal',
      read_from_tail: 'off',
      strip_underscores: 'off',
      lowercase: 'off',
      'storage.type': 'filesystem',
    });
  });

  test('the journal time format is UTC ISO 8601 with ms, as the transform reads a JSON time', () => {
    const journal = parsed().pipeline.outputs.find((o) => o.match === 'journal');
    // strftime on gmtime plus Fluent Bit's %3N (milliseconds), for the entry of 2026-07-29 10:30:00.123 UTC.
    const rendered = String(journal?.time_key_format)
      .replace('%Y', '2026')
      .replace('%m', '07')
      .replace('%d', '29')
      .replace('%H', '10')
      .replace('%M', '30')
      .replace('%S', '00')
      .replace('%3N', '123');
    expect(rendered).toBe('2026-07-29T10:30:00.123Z');
    expect(parseLine(JSON.stringify({ MESSAGE: 'm', [String(journal?.time_key)]: rendered }), Date.UTC(2026, 6, 30)).timestamp).toBe(
      '2026-07-29T10:30:00.123Z',
    );
  });

  test("the agent keeps the package unit's user (root), which may read the journal: the drop-in sets none", () => {
    const script = renderBootScript({
      agentConfig: renderAgentConfig(PROPS),
      region: 'eu-west-1',
      signal: { stackName: 's', logicalId: 'i' },
    });
    const dropIn = script.slice(script.indexOf('/etc/systemd/system/fluent-bit.service.d/log-pipeline.conf <<'));
    const body = dropIn.slice(0, dropIn.indexOf('\nLOG_HOST_EOF\n'));
    expect(body).toContain('ExecStart=/opt/fluent-bit/bin/fluent-bit');
    expect(body).not.toMatch(/^(User|Group|DynamicUser|SupplementaryGroups)=/m);
  });

  test('the journal and the files share the disk buffer limit (a quarter for the journal)', () => {
    const outputs = parsed().pipeline.outputs.filter((o) => o.name === 'kinesis_streams');
    expect(outputs.map((o) => o['storage.total_limit_size'])).toEqual(['768M', '256M']);
  });

  test('systemJournal: false renders no journal input or output and gives the files the whole buffer', () => {
    const config = parsed({ ...PROPS, systemJournal: false });
    expect(config.pipeline.inputs.map((input) => input.name)).toEqual(['tail', 'tail', 'fluentbit_logs']);
    expect(config.pipeline.outputs.map((o) => [o.name, o.match])).toEqual([
      ['kinesis_streams', 'log.*'],
      ['cloudwatch_logs', 'agent.logs'],
    ]);
    expect(config.pipeline.outputs[0]['storage.total_limit_size']).toBe('1024M');
  });

  test('no files but the journal: only the journal goes to the stream', () => {
    const config = parsed({ ...PROPS, files: [] });
    expect(config.pipeline.inputs.map((input) => input.name)).toEqual(['systemd', 'fluentbit_logs']);
    expect(config.pipeline.outputs.map((o) => o.match)).toEqual(['journal', 'agent.logs']);
  });

  test("sends the agent's own log to its CloudWatch group only, one stream per instance", () => {
    const outputs = parsed().pipeline.outputs;
    expect(outputs.find((o) => o.name === 'cloudwatch_logs')).toEqual({
      name: 'cloudwatch_logs',
      match: 'agent.logs',
      region: 'eu-west-1',
      log_group_name: PROPS.agentLogGroupName,
      log_stream_name: '${INSTANCE_ID}',
      auto_create_group: false,
      retry_limit: 5,
    });
  });

  test('tags and checkpoint DBs follow the path, so reordering files keeps every offset', () => {
    const reversed = renderAgentConfig({ ...PROPS, files: [...PROPS.files].reverse() });
    for (const file of PROPS.files) {
      expect(reversed).toContain(`tag: ${fileTag(file)}`);
      expect(reversed).toContain(`db: ${checkpointDb(file)}`);
    }
    expect(fileTag({ path: '/var/log/nginx/access.log', format: 'combined' })).toBe('log.combined.32d34ffbc65f');
  });

  test('passes CDK tokens through unchanged for CloudFormation to resolve', () => {
    const stack = new cdk.Stack();
    const text = renderAgentConfig({
      ...PROPS,
      streamName: cdk.Fn.ref('Stream'),
      region: stack.region,
      agentLogGroupName: cdk.Fn.ref('Group'),
    });
    const resolved = stack.resolve(text) as { 'Fn::Join': [string, unknown[]] };
    expect(resolved['Fn::Join'][1]).toEqual(expect.arrayContaining([{ Ref: 'Stream' }, { Ref: 'AWS::Region' }, { Ref: 'Group' }]));
  });

  test('renders a numeric retry limit and the tuning values', () => {
    const config = parsed({
      ...PROPS,
      tuning: { flushSeconds: 1, retryLimit: 20, retryBaseSeconds: 2, retryCapSeconds: 60, bufferLimitMiB: 64 },
    });
    expect(config.service).toMatchObject({ flush: 1, 'scheduler.base': 2, 'scheduler.cap': 60 });
    expect(config.pipeline.outputs[0]).toMatchObject({ retry_limit: 20, 'storage.total_limit_size': '48M' });
    expect(config.pipeline.outputs[1]).toMatchObject({ retry_limit: 20, 'storage.total_limit_size': '16M' });
  });
});

describe('renderAgentConfig validation', () => {
  test('an empty file list with the journal off stops synth', () => {
    expect(() => renderAgentConfig({ ...PROPS, files: [], systemJournal: false })).toThrow(
      'Invalid stage config:\n  - files must list at least one log file to ship when systemJournal is off (got none)',
    );
  });

  test('a missing stream stops synth', () => {
    expect(errorOf({ ...PROPS, streamName: '' }).problems).toEqual(["streamName must name the Kinesis stream (got '')"]);
    expect(errorOf({ ...PROPS, streamName: undefined as unknown as string }).problems).toEqual([
      "streamName must name the Kinesis stream (got '')",
    ]);
    expect(errorOf({ ...PROPS, streamName: 'no spaces allowed' }).problems).toEqual([
      "streamName must name the Kinesis stream (got 'no spaces allowed')",
    ]);
  });

  test("reports every problem of its own props at once (files and tuning are the host config's, checked once there)", () => {
    const problems = agentConfigProblems({
      files: [],
      systemJournal: false,
      streamName: '',
      region: 'Europe',
      agentLogGroupName: '',
      tuning: { flushSeconds: 0, retryLimit: 0, retryBaseSeconds: 10, retryCapSeconds: 5, bufferLimitMiB: 8 },
    });
    expect(problems).toEqual([
      'files must list at least one log file to ship when systemJournal is off (got none)',
      "streamName must name the Kinesis stream (got '')",
      "region must name an AWS region such as eu-west-1 (got 'Europe')",
      "agentLogGroupName must name a CloudWatch Logs group (got '')",
    ]);
  });
});

describe('renderAgentConfig: files shipped to Kafka', () => {
  const KAFKA = {
    brokers: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098,b-2.c.kafka.eu-west-1.amazonaws.com:9098',
    clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/log-pipeline/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2',
    topic: 'logs',
  };
  const files: AgentConfigProps['files'] = [
    { path: '/var/log/nginx/access.log', format: 'combined', destinations: ['kinesis', 'kafka'] },
    { path: '/var/log/app/*.json.log', format: 'json', destinations: ['kafka'] },
    { path: '/var/log/other.log', format: 'common' },
  ];
  const config = parsed({ ...PROPS, files, kafka: KAFKA });
  const output = (name: string) => config.pipeline.outputs.filter((o) => o.name === name);
  const tags = (selected: Record<string, unknown>) =>
    config.pipeline.inputs.map((i) => String(i.tag)).filter((tag) => new RegExp(String(selected.match_regex)).test(tag));

  test('a kafka output with MSK IAM over TLS, an idempotent acks=all producer, the raw line as the value', () => {
    const [kafka] = output('kafka');
    expect(kafka).toMatchObject({
      brokers: KAFKA.brokers,
      topics: 'logs',
      format: 'raw',
      raw_log_key: 'log',
      aws_msk_iam: true,
      aws_msk_iam_cluster_arn: KAFKA.clusterArn,
      'rdkafka.security.protocol': 'SASL_SSL',
      'rdkafka.enable.idempotence': true,
      'rdkafka.request.required.acks': -1,
    });
  });

  test('each output takes exactly the files whose destinations name it (default: Kinesis only)', () => {
    const [kafka] = output('kafka');
    const [kinesis] = output('kinesis_streams').filter((o) => o.log_key === 'log');
    expect(tags(kafka)).toEqual([fileTag(files[0]), fileTag(files[1])]);
    expect(tags(kinesis)).toEqual([fileTag(files[0]), fileTag(files[2])]);
  });

  test("the two outputs share the files' buffer limit", () => {
    const sizes = config.pipeline.outputs
      .filter((o) => o.name !== 'cloudwatch_logs')
      .map((o) => Number(String(o['storage.total_limit_size']).replace('M', '')));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PROPS.tuning.bufferLimitMiB);
  });

  test('a file for Kafka without a cluster, or a malformed broker list, stops synth', () => {
    expect(errorOf({ ...PROPS, files }).problems).toEqual([
      'kafka must name the cluster and topic when files ship to Kafka (got none for /var/log/nginx/access.log, /var/log/app/*.json.log)',
    ]);
    expect(errorOf({ ...PROPS, files, kafka: { ...KAFKA, brokers: 'not brokers' } }).problems).toEqual([
      "kafka.brokers must name SASL/IAM bootstrap brokers such as b-1.x:9098 (got 'not brokers')",
    ]);
  });

  test('an agent shipping only to Kinesis renders as before: one kinesis output matching log.*', () => {
    expect(renderAgentConfig(PROPS)).toBe(EXPECTED);
    expect(renderAgentConfig(PROPS)).not.toContain('name: kafka');
  });
});
