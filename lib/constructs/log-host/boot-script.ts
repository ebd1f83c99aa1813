/**
 * Renders the log host's boot script (bash) and the cloud-config that makes cloud-init run it on every boot.
 *
 * Pure: plain strings in, plain text out. The construct passes CDK tokens (bucket, stack, region), which
 * CloudFormation resolves inside the user data; tests pass literals and run the result through shellcheck.
 *
 * Why every boot: CloudFormation applies a user-data change by stopping and starting the instance, and
 * cloud-init runs user-data scripts once per instance by default, so a config change (a new file to ship,
 * another generator rate) would never reach the host. Run on every boot, the script applies it; each step is
 * idempotent (packages are installed only when missing, files are rewritten, services restarted).
 */
import { AGENT_PATHS } from './agent-config';
import type { ParsedFormat } from '../../../contracts/record';
import { DEMO_LOG_DIR, LOG_FILE_FORMATS, type LogFileConfig } from './host-config';

/**
 * Fluent Bit release installed from packages.fluentbit.io. 5.1.2 fixes the 5.1.0 startup regression, and
 * passed AWS's 5-day FireLens stability run for aws-for-fluent-bit (aws/aws-for-fluent-bit#1207). Raise it
 * deliberately: the boot script installs exactly this version.
 */
export const FLUENT_BIT_VERSION = '5.1.2';

/** Node.js major the demo generator runs on (AL2023's namespaced `nodejs22` package, binary `node-22`). */
export const GENERATOR_NODE_MAJOR = 22;

/** Where the demo generator writes, and the bundle it runs. */
export const DEMO_PATHS = {
  logDir: DEMO_LOG_DIR,
  bundleDir: '/opt/log-generator',
  bundle: '/opt/log-generator/generator.js',
  user: 'log-demo',
  environment: '/etc/log-generator.env',
  unitFile: '/etc/systemd/system/log-generator@.service',
} as const;

/** The demo files, one per format the pipeline parses: `<DEMO_PATHS.logDir>/<format>.log`. */
export function demoFiles(): LogFileConfig[] {
  // Both paths, so a fresh deploy shows data under raw/source=kinesis/ and raw/source=kafka/.
  return LOG_FILE_FORMATS.map((format) => ({ path: `${DEMO_PATHS.logDir}/${format}.log`, format, destinations: ['kinesis', 'kafka'] }));
}

/** systemd unit of the demo generator writing one format (an instance of the template unit). */
export function demoUnitName(format: ParsedFormat): string {
  return `log-generator@${format}.service`;
}

export interface BootScriptProps {
  /** The rendered agent configuration (renderAgentConfig). */
  readonly agentConfig: string;
  /** Region of the stack (for the S3 download and cfn-signal). */
  readonly region: string;
  /**
   * Stack name and logical ID of the instance, to report the bootstrap's result to CloudFormation
   * (the instance's creation policy waits for it).
   */
  readonly signal: { readonly stackName: string; readonly logicalId: string };
  /**
   * The demo generator: its bundle in S3, and how many lines per second each format's service writes
   * (one service per format, see demoFiles()).
   * @default - no generator; demo services left from an earlier boot are stopped and removed
   */
  readonly demo?: { readonly bundleS3Uri: string; readonly linesPerSecond: number };
}

/** Heredoc delimiter of the files the script writes; the content must not contain it on a line of its own. */
const EOF = 'LOG_HOST_EOF';

function heredoc(target: string, content: string, mode: string): string[] {
  if (content.split('\n').includes(EOF)) throw new Error(`content for ${target} contains the heredoc delimiter ${EOF}`);
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  return [`cat > ${target} <<'${EOF}'`, body, EOF, `chmod ${mode} ${target}`];
}

/** A shell single-quoted word; tokens pass through (CloudFormation values never contain a quote). */
function sq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Template unit: `log-generator@<format>.service` appends `<format>` lines to `<logDir>/<format>.log`. */
const DEMO_TEMPLATE_UNIT = [
  '[Unit]',
  `Description=Demo log generator: %i lines to ${DEMO_PATHS.logDir}/%i.log`,
  'Wants=network-online.target',
  'After=network-online.target',
  '',
  '[Service]',
  `EnvironmentFile=${DEMO_PATHS.environment}`,
  `User=${DEMO_PATHS.user}`,
  `Group=${DEMO_PATHS.user}`,
  `ExecStart=/usr/bin/node-${GENERATOR_NODE_MAJOR} ${DEMO_PATHS.bundle} --format %i --file ${DEMO_PATHS.logDir}/%i.log --rate \${LINES_PER_SECOND}`,
  'Restart=on-failure',
  'RestartSec=5s',
  // The generator only appends to its file: everything else is read-only or hidden.
  'NoNewPrivileges=yes',
  'ProtectSystem=strict',
  'ProtectHome=yes',
  'PrivateTmp=yes',
  `ReadWritePaths=${DEMO_PATHS.logDir}`,
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

const AGENT_DROP_IN = [
  "# Runs the package's fluent-bit.service with the log pipeline's config; restarts it when it fails.",
  '[Service]',
  `EnvironmentFile=${AGENT_PATHS.environment}`,
  'ExecStart=',
  `ExecStart=/opt/fluent-bit/bin/fluent-bit -c ${AGENT_PATHS.config}`,
  'Restart=on-failure',
  'RestartSec=5s',
  '',
].join('\n');

const FLUENT_BIT_REPO = [
  '[fluent-bit]',
  'name=Fluent Bit',
  'baseurl=https://packages.fluentbit.io/amazonlinux/2023/',
  'gpgcheck=1',
  'gpgkey=https://packages.fluentbit.io/fluentbit.key',
  'enabled=1',
  '',
].join('\n');

const DEMO_LOGROTATE = [
  `${DEMO_PATHS.logDir}/*.log {`,
  '    daily',
  '    maxsize 50M',
  '    rotate 2',
  '    missingok',
  '    notifempty',
  // The rotated file stays uncompressed for a cycle, so the agent (rotate_wait) reads it to its end.
  '    compress',
  '    delaycompress',
  `    create 0644 ${DEMO_PATHS.user} ${DEMO_PATHS.user}`,
  '}',
  '',
].join('\n');

/** Units of every format, so a boot with fewer (or no) demo services removes the others. */
const ALL_DEMO_UNITS = LOG_FILE_FORMATS.map((format) => demoUnitName(format));

/** The bash script the host runs on every boot. */
export function renderBootScript(props: BootScriptProps): string {
  const lines: string[] = [
    '#!/bin/bash',
    '# Log host bootstrap, rendered by lib/constructs/log-host/boot-script.ts. Runs on every boot; idempotent.',
    '# Its output is in /var/log/cloud-init-output.log.',
    'set -Eeuo pipefail',
    '',
    `readonly REGION=${sq(props.region)}`,
    `readonly FLUENT_BIT_VERSION=${sq(FLUENT_BIT_VERSION)}`,
    '',
    '# Tell CloudFormation how the first boot went (the creation policy waits for it). Later boots are not',
    '# awaited, so a refused signal there is expected and only logged. The signal carries no reason: cfn-signal',
    '# takes --reason, but the SignalResource API it calls for a resource has no such field (CloudFormation API',
    '# Reference, SignalResource). So the reason also goes to the console: aws ec2 get-console-output.',
    'signal_cloudformation() {',
    '  local status="$1" reason="$2"',
    '  echo "log host bootstrap: exit ${status}: ${reason}" | tee /dev/console >&2 || true',
    '  if [ -x /opt/aws/bin/cfn-signal ]; then',
    `    /opt/aws/bin/cfn-signal --exit-code "$status" --reason "$reason" --stack ${sq(props.signal.stackName)} --resource ${sq(props.signal.logicalId)} --region "$REGION" \\`,
    '      || echo "cfn-signal not accepted (expected after the first boot)"',
    '  else',
    '    # cfn-signal is not installed (its package failed): the AWS CLI of the image sends the same signal.',
    '    local unique_id',
    '    unique_id="$(cat /var/lib/cloud/data/instance-id 2>/dev/null || echo unknown-instance)"',
    `    aws cloudformation signal-resource --region "$REGION" --stack-name ${sq(props.signal.stackName)} --logical-resource-id ${sq(props.signal.logicalId)} \\`,
    '      --unique-id "$unique_id" --status "$([ "$status" = 0 ] && echo SUCCESS || echo FAILURE)" \\',
    '      || echo "could not signal CloudFormation (no cfn-signal, and the AWS CLI failed)"',
    '  fi',
    '}',
    '# Any failing command (set -E: in functions too) signals FAILURE with its line and text, then exits.',
    'on_error() {',
    '  local status=$? line="$1" command="$2"',
    '  trap - ERR',
    '  signal_cloudformation 1 "line ${line}: \\`${command}\\` exited ${status}"',
    '  exit "$status"',
    '}',
    'trap \'on_error "$LINENO" "$BASH_COMMAND"\' ERR',
    '',
    '# cfn-signal first, on its own: if a later package is missing, the failure can still be reported.',
    'if ! rpm -q --quiet aws-cfn-bootstrap; then dnf install -y aws-cfn-bootstrap; fi',
    "# The agent from Fluent Bit's signed repository (pinned). Installed once; later boots do not depend on the",
    '# repositories being reachable.',
    ...heredoc('/etc/yum.repos.d/fluent-bit.repo', FLUENT_BIT_REPO, '0644'),
    'if ! rpm -q --quiet "fluent-bit-${FLUENT_BIT_VERSION}"; then dnf install -y "fluent-bit-${FLUENT_BIT_VERSION}"; fi',
    '',
    '# Agent configuration and state.',
    `install -d -m 0755 /etc/fluent-bit ${AGENT_PATHS.state} ${AGENT_PATHS.storage}`,
    ...heredoc(AGENT_PATHS.config, props.agentConfig, '0644'),
    '# The agent names its own CloudWatch log stream after the instance.',
    'instance_id="$(cat /var/lib/cloud/data/instance-id)"',
    `printf 'INSTANCE_ID=%s\\n' "$instance_id" > ${AGENT_PATHS.environment}`,
    '# Stop here, before restarting anything, if Fluent Bit rejects the configuration.',
    `INSTANCE_ID="$instance_id" /opt/fluent-bit/bin/fluent-bit --dry-run -c ${AGENT_PATHS.config}`,
    'install -d -m 0755 /etc/systemd/system/fluent-bit.service.d',
    ...heredoc('/etc/systemd/system/fluent-bit.service.d/log-pipeline.conf', AGENT_DROP_IN, '0644'),
    '',
  ];

  const demo = props.demo;
  if (demo) {
    lines.push(
      '# Demo log generator: Node.js, a system user that owns only the demo log directory, logrotate.',
      `if ! rpm -q --quiet nodejs${GENERATOR_NODE_MAJOR} logrotate; then dnf install -y nodejs${GENERATOR_NODE_MAJOR} logrotate; fi`,
      'systemctl enable --now logrotate.timer',
      `id -u ${DEMO_PATHS.user} >/dev/null 2>&1 || useradd --system --no-create-home --shell /sbin/nologin ${DEMO_PATHS.user}`,
      `install -d -o ${DEMO_PATHS.user} -g ${DEMO_PATHS.user} -m 0755 ${DEMO_PATHS.logDir}`,
      `install -d -m 0755 ${DEMO_PATHS.bundleDir}`,
      `aws s3 cp --only-show-errors --region "$REGION" ${sq(demo.bundleS3Uri)} ${DEMO_PATHS.bundle}`,
      `chmod 0644 ${DEMO_PATHS.bundle}`,
      `printf 'LINES_PER_SECOND=%s\\n' ${sq(String(demo.linesPerSecond))} > ${DEMO_PATHS.environment}`,
      ...heredoc('/etc/logrotate.d/log-pipeline-demo', DEMO_LOGROTATE, '0644'),
      ...heredoc(DEMO_PATHS.unitFile, DEMO_TEMPLATE_UNIT, '0644'),
      '',
    );
  } else {
    lines.push(
      '# No demo generator in this config: stop and remove one left from an earlier boot.',
      `if [ -f ${DEMO_PATHS.unitFile} ]; then`,
      `  for unit in ${ALL_DEMO_UNITS.join(' ')}; do systemctl disable --now "$unit" || echo "could not stop $unit"; done`,
      `  rm -f ${DEMO_PATHS.unitFile} ${DEMO_PATHS.environment}`,
      'fi',
      '',
    );
  }

  lines.push(
    '# Start (or restart, to pick up a changed config) the agent first, then the generators.',
    'systemctl daemon-reload',
    'systemctl enable fluent-bit.service',
    'systemctl restart fluent-bit.service',
  );
  if (demo) for (const unit of ALL_DEMO_UNITS) lines.push(`systemctl enable ${unit}`, `systemctl restart ${unit}`);
  lines.push(
    '# The agent must still be running after its first seconds, or the bootstrap failed.',
    'sleep 10',
    'systemctl is-active --quiet fluent-bit.service',
    '',
    'signal_cloudformation 0 "the agent runs"',
    '',
  );
  return lines.join('\n');
}

/** cloud-config that runs the user-data script on every boot instead of once per instance. */
export function renderCloudConfig(): string {
  return [
    '#cloud-config',
    '# Run the boot script on every boot: CloudFormation stops and starts the instance to change its user',
    '# data, and the new script must run then (see lib/constructs/log-host/boot-script.ts).',
    'cloud_final_modules:',
    '  - [scripts-user, always]',
    '',
  ].join('\n');
}
