import {
  demoFiles,
  destinationsOf,
  hostPlacementProblems,
  LOG_FILE_FORMATS,
  validateHostConfig,
  type HostConfig,
} from '../../../lib/constructs/log-host';
import { STAGE_CONFIGS } from '../../../lib/config';
import { DEV_HOST, PROD_HOST } from './fixtures';
import schema from '../../../schema/log-record.schema.json';

describe('validateHostConfig', () => {
  test.each([
    ['dev', DEV_HOST],
    ['prod', PROD_HOST],
  ])('the proposed %s settings are valid', (_stage, config) => {
    expect(validateHostConfig(config)).toEqual([]);
  });

  test('prod protects the host and runs no demo generator; dev runs the generator', () => {
    expect(PROD_HOST.terminationProtection).toBe(true);
    expect(PROD_HOST.demoGenerator.enabled).toBe(false);
    expect(DEV_HOST.demoGenerator.enabled).toBe(true);
  });

  test('the shippable formats are the schema format enum without unparsed', () => {
    expect([...LOG_FILE_FORMATS, 'unparsed']).toEqual(schema.properties.format.enum);
  });

  test('paths the agent or the boot script would misread are reported', () => {
    const logFiles: HostConfig['logFiles'] = [
      { path: '/var/log/a.log,/etc/shadow', format: 'common' },
      { path: "/var/log/it's.log", format: 'common' },
      { path: '/var/log/../../etc/passwd', format: 'common' },
      { path: '/var/log/', format: 'common' },
      { path: '/var/log/b.log', format: 'common' },
      { path: '/var/log/b.log', format: 'json' },
    ];
    expect(validateHostConfig({ ...DEV_HOST, logFiles })).toEqual([
      "host.logFiles[0].path must not contain whitespace, commas, quotes or backslashes (got '/var/log/a.log,/etc/shadow')",
      "host.logFiles[1].path must not contain whitespace, commas, quotes or backslashes (got '/var/log/it's.log')",
      "host.logFiles[2].path must not contain '..' (got '/var/log/../../etc/passwd')",
      "host.logFiles[3].path must name a file, not a directory (got '/var/log/')",
      "host.logFiles[5].path is already shipped by host.logFiles[4] (got '/var/log/b.log')",
    ]);
  });

  test('the host must be placed where its subnets reach the internet', () => {
    expect(
      hostPlacementProblems(DEV_HOST, { ...STAGE_CONFIGS.dev.network, publicSubnets: false, privateEgress: 'interface-endpoints' }),
    ).toEqual([
      "host.subnet must not be 'public' when network.publicSubnets is false (got 'public'): use 'private-with-nat' with network.privateEgress 'nat-gateway'",
    ]);
    expect(hostPlacementProblems(PROD_HOST, { ...STAGE_CONFIGS.prod.network, privateEgress: 'interface-endpoints' })).toEqual([
      "host.subnet 'private-with-nat' needs network.privateEgress 'nat-gateway' (got 'interface-endpoints'): the agent installs from its package repository",
    ]);
    expect(hostPlacementProblems(DEV_HOST, STAGE_CONFIGS.dev.network)).toEqual([]);
    expect(hostPlacementProblems(PROD_HOST, STAGE_CONFIGS.prod.network)).toEqual([]);
  });

  test('names every bad setting with its allowed values and the value it got', () => {
    const bad = {
      instanceType: 'small',
      rootVolumeGiB: 4,
      subnet: 'private',
      terminationProtection: 'yes',
      image: 'newest',
      logFiles: [{ path: 'relative.log', format: 'nginx' }],
      agent: { flushSeconds: 61, retryLimit: 'forever', retryBaseSeconds: 0, retryCapSeconds: 4000, bufferLimitMiB: 5000 },
      demoGenerator: { enabled: 'on', linesPerSecond: 0 },
    } as unknown as HostConfig;
    expect(validateHostConfig(bad)).toEqual([
      "host.instanceType must be an EC2 instance type such as 't4g.small' (got 'small')",
      'host.rootVolumeGiB must be an integer between 8 and 1024 (got 4)',
      "host.subnet must be one of public, private-with-nat (got 'private')",
      'host.terminationProtection must be true or false (got yes)',
      "host.image must be one of latest, pinned (got 'newest')",
      "host.logFiles[0].path must be an absolute path (got 'relative.log')",
      "host.logFiles[0].format must be one of common, combined, syslog_rfc3164, syslog_rfc5424, json (got 'nginx')",
      'host.agent.flushSeconds must be an integer between 1 and 60 (got 61)',
      "host.agent.retryLimit must be an integer between 1 and 1000 or 'no_limits' (got forever)",
      'host.agent.retryBaseSeconds must be an integer between 1 and 60 (got 0)',
      'host.agent.retryCapSeconds must be an integer between 1 and 3600 (got 4000)',
      'host.agent.bufferLimitMiB must be an integer between 16 and 4096 (got 5000)',
      'host.demoGenerator.enabled must be true or false (got on)',
      'host.demoGenerator.linesPerSecond must be a number between 0.1 and 1000 (got 0)',
    ]);
  });

  test('a protected host must run a pinned image: a new image would replace it, and CloudFormation cannot delete the protected old one', () => {
    expect(validateHostConfig({ ...PROD_HOST, image: 'latest' })).toEqual([
      "host.image must be 'pinned' when host.terminationProtection is on (got 'latest'): a new image replaces the host, and CloudFormation cannot delete the protected old one, which keeps running",
    ]);
    expect(validateHostConfig({ ...DEV_HOST, image: 'latest' })).toEqual([]);
  });

  test('a host with no files, no generator and no journal would ship nothing', () => {
    expect(validateHostConfig({ ...PROD_HOST, logFiles: [], systemJournal: false })).toEqual([
      'host.logFiles must list at least one file when host.demoGenerator and host.systemJournal are off (got none)',
    ]);
    // The journal is shipped by default: the host's own system log is something to ship.
    expect(validateHostConfig({ ...PROD_HOST, logFiles: [] })).toEqual([]);
  });

  test('systemJournal must be a boolean', () => {
    expect(validateHostConfig({ ...DEV_HOST, systemJournal: 1 as unknown as boolean })).toEqual([
      'host.systemJournal must be true or false (got 1)',
    ]);
  });

  test('the agent buffer may take at most a quarter of the root volume', () => {
    expect(validateHostConfig({ ...DEV_HOST, rootVolumeGiB: 8, agent: { ...DEV_HOST.agent, bufferLimitMiB: 2048 } })).toEqual([]);
    expect(validateHostConfig({ ...DEV_HOST, rootVolumeGiB: 8, agent: { ...DEV_HOST.agent, bufferLimitMiB: 2049 } })).toEqual([
      'host.agent.bufferLimitMiB must be at most a quarter of the root volume, 2048 MiB (got 2049)',
    ]);
  });

  test('configured files stay out of the demo directory while the generator writes there', () => {
    const logFiles = [{ path: '/var/log/demo/combined.log', format: 'combined' as const }];
    expect(validateHostConfig({ ...DEV_HOST, logFiles })).toEqual([
      "host.logFiles[0].path must be outside /var/log/demo, which the demo generator writes (got '/var/log/demo/combined.log')",
    ]);
    expect(validateHostConfig({ ...PROD_HOST, logFiles })).toEqual([]);
  });

  test('settings are named under the prefix the stage config uses', () => {
    expect(validateHostConfig({ ...DEV_HOST, instanceType: '' }, 'stages.dev.host')).toEqual([
      "stages.dev.host.instanceType must be an EC2 instance type such as 't4g.small' (got '')",
    ]);
  });
});

describe('host.logFiles[].destinations', () => {
  test('defaults to Kinesis; the demo files and prod access log go to both paths', () => {
    expect(destinationsOf({ path: '/var/log/a.log', format: 'json' })).toEqual(['kinesis']);
    for (const file of demoFiles()) expect(destinationsOf(file)).toEqual(['kinesis', 'kafka']);
    expect(destinationsOf(PROD_HOST.logFiles[0])).toEqual(['kinesis', 'kafka']);
  });

  test('must name kinesis, kafka or both, once each', () => {
    const logFiles = [
      { path: '/var/log/a.log', format: 'json', destinations: [] },
      { path: '/var/log/b.log', format: 'json', destinations: ['kinesis', 'kinesis'] },
      { path: '/var/log/c.log', format: 'json', destinations: ['s3'] },
    ] as unknown as HostConfig['logFiles'];
    expect(validateHostConfig({ ...DEV_HOST, logFiles })).toEqual([
      "host.logFiles[0].destinations must list 'kinesis', 'kafka' or both, once each (got [])",
      `host.logFiles[1].destinations must list 'kinesis', 'kafka' or both, once each (got ["kinesis","kinesis"])`,
      `host.logFiles[2].destinations must list 'kinesis', 'kafka' or both, once each (got ["s3"])`,
    ]);
  });
});
