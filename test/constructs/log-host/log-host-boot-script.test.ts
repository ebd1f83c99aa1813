import { parse } from 'yaml';
import {
  DEMO_PATHS,
  FLUENT_BIT_VERSION,
  demoFiles,
  renderAgentConfig,
  renderBootScript,
  renderCloudConfig,
  type BootScriptProps,
} from '../../../lib/constructs/log-host';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEV_HOST, PROD_HOST, TEST_CLUSTER_ARN, hostStack, shellcheck, userDataBytes, userDataParts } from './fixtures';

/** Runs a script with bash, with a PATH holding only bash, cat and tee (no package manager, no AWS tools). */
function runBootScriptWithoutPackages(script: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-script-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const tool of ['bash', 'cat', 'tee']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (!found) throw new Error(`${tool} is needed to run the boot script`);
    fs.symlinkSync(found, path.join(bin, tool));
  }
  fs.writeFileSync(path.join(dir, 'boot.sh'), script);
  try {
    return spawnSync(path.join(bin, 'bash'), [path.join(dir, 'boot.sh')], { encoding: 'utf8', env: { PATH: bin }, timeout: 30_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const AGENT_CONFIG = renderAgentConfig({
  files: [{ path: '/var/log/nginx/access.log', format: 'combined' }, ...demoFiles()],
  streamName: 'LogPipeline-dev-Data-IngestStream1234-AbCdEf',
  region: 'eu-west-1',
  agentLogGroupName: 'LogPipeline-dev-Host-AgentLogs-XyZ',
  tuning: DEV_HOST.agent,
  kafka: {
    brokers: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098,b-2.c.kafka.eu-west-1.amazonaws.com:9098',
    clusterArn: TEST_CLUSTER_ARN,
    topic: 'logs',
  },
});

const WITH_DEMO: BootScriptProps = {
  agentConfig: AGENT_CONFIG,
  region: 'eu-west-1',
  signal: { stackName: 'LogPipeline-dev-Host', logicalId: 'LogHostInstance35EE2BAB' },
  demo: { bundleS3Uri: 's3://cdk-hnb659fds-assets-123456789012-eu-west-1/0123abcd.js', linesPerSecond: 5 },
};

/** The text between `cat > <target> <<'LOG_HOST_EOF'` and the delimiter. */
function writtenFile(script: string, target: string): string {
  const start = script.indexOf(`cat > ${target} <<'LOG_HOST_EOF'\n`);
  if (start < 0) throw new Error(`the script does not write ${target}`);
  const bodyStart = script.indexOf('\n', start) + 1;
  return script.slice(bodyStart, script.indexOf('\nLOG_HOST_EOF\n', bodyStart) + 1);
}

describe('renderBootScript', () => {
  test('passes shellcheck with the demo generator', () => {
    expect(shellcheck(renderBootScript(WITH_DEMO))).toBe('');
  });

  test('passes shellcheck without the demo generator', () => {
    expect(shellcheck(renderBootScript({ ...WITH_DEMO, demo: undefined }))).toBe('');
  });

  test('shellcheck is really run: a broken script is reported', () => {
    expect(shellcheck('#!/bin/bash\nrm -rf $1/*\n')).toMatch(/SC2086/);
  });

  test('installs the pinned Fluent Bit from its signed repository and checks the config before starting', () => {
    const script = renderBootScript(WITH_DEMO);
    expect(FLUENT_BIT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(script).toContain(`readonly FLUENT_BIT_VERSION='${FLUENT_BIT_VERSION}'`);
    expect(script).toContain(
      'if ! rpm -q --quiet "fluent-bit-${FLUENT_BIT_VERSION}"; then dnf install -y "fluent-bit-${FLUENT_BIT_VERSION}"; fi\n',
    );
    expect(writtenFile(script, '/etc/yum.repos.d/fluent-bit.repo')).toBe(
      '[fluent-bit]\nname=Fluent Bit\nbaseurl=https://packages.fluentbit.io/amazonlinux/2023/\ngpgcheck=1\n' +
        'gpgkey=https://packages.fluentbit.io/fluentbit.key\nenabled=1\n',
    );
    expect(script.indexOf('--dry-run')).toBeLessThan(script.indexOf('systemctl restart fluent-bit.service'));
  });

  test('writes the rendered agent config unchanged, and a drop-in that restarts the agent on failure', () => {
    const script = renderBootScript(WITH_DEMO);
    expect(writtenFile(script, '/etc/fluent-bit/log-pipeline.yaml')).toBe(AGENT_CONFIG);
    const dropIn = writtenFile(script, '/etc/systemd/system/fluent-bit.service.d/log-pipeline.conf');
    expect(dropIn).toContain('\nRestart=on-failure\n');
    expect(dropIn).toContain('\nExecStart=\nExecStart=/opt/fluent-bit/bin/fluent-bit -c /etc/fluent-bit/log-pipeline.yaml\n');
  });

  test('runs one generator service per format as an unprivileged user, restarted on failure', () => {
    const script = renderBootScript(WITH_DEMO);
    const unit = writtenFile(script, DEMO_PATHS.unitFile);
    expect(unit).toContain(`User=${DEMO_PATHS.user}\n`);
    expect(unit).toContain('Restart=on-failure\n');
    expect(unit).toContain(
      'ExecStart=/usr/bin/node-22 /opt/log-generator/generator.js --format %i --file /var/log/demo/%i.log --rate ${LINES_PER_SECOND}\n',
    );
    expect(script).toContain("printf 'LINES_PER_SECOND=%s\\n' '5' > /etc/log-generator.env");
    for (const file of demoFiles()) {
      expect(file.path).toBe(`/var/log/demo/${file.format}.log`);
      expect(script).toContain(`systemctl restart log-generator@${file.format}.service`);
    }
    expect(writtenFile(script, '/etc/logrotate.d/log-pipeline-demo')).toContain('delaycompress');
  });

  test('without the generator, removes generator services left by an earlier boot', () => {
    const script = renderBootScript({ ...WITH_DEMO, demo: undefined });
    expect(script).not.toContain('nodejs22');
    expect(script).toContain('systemctl disable --now "$unit" || echo "could not stop $unit"');
    expect(script).not.toMatch(/systemctl (enable|restart) log-generator/);
  });

  test('signals CloudFormation success last, and failure from any failing step', () => {
    const script = renderBootScript(WITH_DEMO);
    expect(script).toContain('set -Eeuo pipefail');
    expect(script).toContain(`trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR`);
    expect(script.trimEnd().endsWith('signal_cloudformation 0 "the agent runs"')).toBe(true);
    expect(script).toContain("--stack 'LogPipeline-dev-Host' --resource 'LogHostInstance35EE2BAB'");
    expect(script).toContain("--stack-name 'LogPipeline-dev-Host' --logical-resource-id 'LogHostInstance35EE2BAB'");
  });

  test('installs cfn-signal on its own, before the trap depends on it and before any other package', () => {
    const lines = renderBootScript(WITH_DEMO).split('\n');
    const installs = lines.map((line, i) => ({ line, i })).filter(({ line }) => /\bdnf install\b/.test(line));
    expect(installs[0].line).toBe('if ! rpm -q --quiet aws-cfn-bootstrap; then dnf install -y aws-cfn-bootstrap; fi');
    expect(installs.slice(1).every(({ line }) => !line.includes('aws-cfn-bootstrap'))).toBe(true);
    const trap = lines.findIndex((line) => line.startsWith('trap '));
    expect(trap).toBeGreaterThan(-1);
    expect(trap).toBeLessThan(installs[0].i);
  });

  test('run by bash: a failing install stops the script and reports FAILURE with the line and the command', () => {
    // The rendered script, run for real by bash with a PATH of bash and coreutils only: no rpm, no dnf, no
    // cfn-signal, no AWS CLI, as on a host whose first package install fails. It must stop at that install
    // (nothing after it runs), take the ERR trap with the failing command's line and text, try both ways of
    // signalling, and exit with the command's status instead of going on or hanging.
    const result = runBootScriptWithoutPackages(renderBootScript(WITH_DEMO));
    const script = renderBootScript(WITH_DEMO).split('\n');
    const failingLine = script.findIndex((line) => line.includes('dnf install -y aws-cfn-bootstrap')) + 1;
    expect(result.status).toBe(127);
    expect(result.stderr).toContain(`log host bootstrap: exit 1: line ${failingLine}: \`dnf install -y aws-cfn-bootstrap\` exited 127`);
    expect(result.stdout).toContain('could not signal CloudFormation (no cfn-signal, and the AWS CLI failed)');
    // Nothing after the failing install ran: the repository file was never written.
    expect(result.stderr).not.toMatch(/yum\.repos\.d|fluent-bit/);
  });

  test('refuses content that would end a heredoc early', () => {
    expect(() => renderBootScript({ ...WITH_DEMO, agentConfig: 'service:\nLOG_HOST_EOF\nrm -rf /\n' })).toThrow(
      'content for /etc/fluent-bit/log-pipeline.yaml contains the heredoc delimiter LOG_HOST_EOF',
    );
  });
});

describe('renderCloudConfig', () => {
  test('is cloud-config that runs user scripts on every boot', () => {
    const text = renderCloudConfig();
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(parse(text)).toEqual({ cloud_final_modules: [['scripts-user', 'always']] });
  });
});

describe.each([
  ['dev', DEV_HOST],
  ['prod', PROD_HOST],
])('%s: the synthesized user data', (_stage, config) => {
  const { template } = hostStack(config);
  const parts = userDataParts(template);

  test('is cloud-config plus the boot script', () => {
    expect([...parts.keys()]).toEqual(['text/cloud-config', 'text/x-shellscript']);
    expect(parts.get('text/cloud-config')).toBe(renderCloudConfig());
  });

  test('the boot script, as CloudFormation resolves it, passes shellcheck', () => {
    expect(shellcheck(`${parts.get('text/x-shellscript')}\n`)).toBe('');
  });

  test('stays well under the 16 KiB EC2 accepts', () => {
    expect(userDataBytes(template)).toBeLessThan(14 * 1024);
  });
});
