import { parse } from 'yaml';
import {
  DEMO_PATHS,
  FLUENT_BIT_VERSION,
  demoFiles,
  renderAgentConfig,
  renderBootScript,
  renderCloudConfig,
  type BootScriptProps,
} from '../../lib/constructs/log-host';
import { DEV_HOST, PROD_HOST, TEST_CLUSTER_ARN, hostStack, shellcheck, userDataBytes, userDataParts } from './log-host/fixtures';

const AGENT_CONFIG = renderAgentConfig({
  files: [{ path: '/var/log/nginx/access.log', format: 'combined' }, ...demoFiles()],
  streamName: 'LogPipeline-dev-Data-IngestStream1234-AbCdEf',
  region: 'eu-west-1',
  agentLogGroupName: 'LogPipeline-dev-Host-AgentLogs-XyZ',
  tuning: DEV_HOST.agent,
  kafka: { brokers: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098,b-2.c.kafka.eu-west-1.amazonaws.com:9098', clusterArn: TEST_CLUSTER_ARN, topic: 'logs' },
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
      'if ! rpm -q --quiet aws-cfn-bootstrap "fluent-bit-${FLUENT_BIT_VERSION}"; then\n  dnf install -y aws-cfn-bootstrap "fluent-bit-${FLUENT_BIT_VERSION}"\nfi\n',
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
    expect(script).toContain("trap 'signal_cloudformation 1' ERR");
    expect(script.trimEnd().endsWith('signal_cloudformation 0')).toBe(true);
    expect(script).toContain("--stack 'LogPipeline-dev-Host' --resource 'LogHostInstance35EE2BAB'");
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
