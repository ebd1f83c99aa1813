/**
 * AWS's rule: a Lambda function's environment variables total at most 4 KB ("Lambda quotas", function
 * configuration: "Environment variables: 4 KB, total", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * A stage's custom formats are why this is checked: they are bundled as a file in the transform's and the
 * consumer's assets (lib/lambda-bundling.ts writeCustomFormats), never in an environment variable, so no
 * number of formats can push a function over the limit.
 */
import { allResources, describe_, STAGES, stageTemplates } from './redeploy-templates';

const LIMIT_BYTES = 4 * 1024;

describe.each(STAGES)('%s: Lambda environments', (stage) => {
  const functions = allResources(stageTemplates(stage)).filter((r) => r.resource.Type === 'AWS::Lambda::Function');

  test('every function’s environment variables total at most 4 KB, and none carries the custom formats', () => {
    expect(functions.length).toBeGreaterThan(0);
    const over: string[] = [];
    for (const fn of functions) {
      const variables = ((fn.resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
        {}) as Record<string, unknown>;
      // Unresolved values (Refs) are counted as their JSON: longer than the names they resolve to.
      const bytes = Object.entries(variables).reduce(
        (sum, [name, value]) =>
          sum + Buffer.byteLength(name) + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value)),
        0,
      );
      if (bytes > LIMIT_BYTES) over.push(`${describe_(fn)}: ${bytes} bytes`);
      for (const name of Object.keys(variables)) if (/FORMAT/i.test(name)) over.push(`${describe_(fn)} carries ${name}`);
    }
    expect(over).toEqual([]);
  });
});
