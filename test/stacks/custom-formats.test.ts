/**
 * A stage's custom formats reach everything that reads lines or records: bundled as a file into the
 * transform's and the consumer's assets (nothing fetched at run time), and passed to the Glue job as
 * --custom_formats, so the job accepts exactly those names. Without formats, neither asset holds the file
 * and the job gets '[]'.
 */
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addPipelineStacks } from '../../lib/app-stacks';
import { STAGE_CONFIGS, STAGES, validateStageConfig } from '../../lib/config';
import { CUSTOM_FORMATS_FILE, type CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { projectApp, synthStage, TEST_HOST_IMAGES } from '../helpers/app';

const FORMATS = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'formats', 'hdfs-apache-error.json'), 'utf8')) as {
    formats: CustomFormatDefinition[];
  }
).formats;

function glueArguments(template: {
  findResources(type: string): Record<string, { Properties: { DefaultArguments: Record<string, unknown> } }>;
}): Record<string, unknown> {
  const jobs = Object.values(template.findResources('AWS::Glue::Job'));
  expect(jobs).toHaveLength(1);
  return jobs[0].Properties.DefaultArguments;
}

describe.each(STAGES)('%s with the example formats', (stage) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `formats-${stage}-`));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const config = validateStageConfig({ ...STAGE_CONFIGS[stage], formats: FORMATS });
  // Only the two stacks with line-reading functions are bundled; the rest is template only.
  const app = projectApp({
    outdir,
    context: { [cxapi.BUNDLING_STACKS]: [`LogPipeline-${stage}-Ingest`, `LogPipeline-${stage}-KafkaConsumer`] },
  });
  const stacks = addPipelineStacks(app, config, undefined, { hostImages: TEST_HOST_IMAGES });
  const assembly = app.synth();

  test('the transform and the consumer assets hold the formats; no other asset does', () => {
    const withFile = fs
      .readdirSync(outdir)
      .filter((entry) => entry.startsWith('asset.') && fs.existsSync(path.join(outdir, entry, CUSTOM_FORMATS_FILE)))
      .map((entry) => JSON.parse(fs.readFileSync(path.join(outdir, entry, CUSTOM_FORMATS_FILE), 'utf8')) as unknown);
    expect(withFile).toEqual([FORMATS, FORMATS]);
    const assetOf = (stack: 'ingest' | 'kafkaConsumer') =>
      JSON.stringify(assembly.getStackByName(stacks[stack].stackName).template).match(/"S3Key":"([0-9a-f]{64})\.zip"/g) ?? [];
    expect(assetOf('ingest').length).toBeGreaterThan(0);
    expect(assetOf('kafkaConsumer').length).toBeGreaterThan(0);
  });

  test("the Glue job accepts the formats' names", () => {
    const template = {
      findResources: (type: string) =>
        Object.fromEntries(
          Object.entries(assembly.getStackByName(stacks.analytics.stackName).template.Resources as Record<string, { Type: string }>).filter(
            ([, r]) => r.Type === type,
          ),
        ),
    } as never;
    expect(glueArguments(template)['--custom_formats']).toBe('["hdfs","apache_error"]');
  });
});

test.each(STAGES)('%s as configured (no formats): the job gets an empty list', (stage) => {
  expect(glueArguments(synthStage(stage).templates.analytics as never)['--custom_formats']).toBe('[]');
});
