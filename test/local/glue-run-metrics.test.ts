import { runMetricProblems } from '../../local/steps/glue';
import { GLUE_RUN_METRICS } from '../../contracts/glue-run-metrics';

// The local run's Glue step fails when the counts read back from CloudWatch are not what the output holds.
const { namespace, metrics } = GLUE_RUN_METRICS;
const honest = {
  raw_lines: 12,
  duplicates_dropped: 1,
  curated_output_rows: 9,
  quarantine_output_rows: 2,
  metrics_published: true,
  metrics_read_back: { [metrics.raw_lines]: 12, [metrics.curated_rows]: 9, [metrics.quarantined_rows]: 2, [metrics.duplicates_dropped]: 1 },
};

test('counts equal to the output pass', () => {
  expect(runMetricProblems(honest)).toEqual([]);
});

test('a count that differs from the output, or is missing, is a failure naming the metric', () => {
  const withoutDuplicates = Object.fromEntries(
    Object.entries(honest.metrics_read_back).filter(([name]) => name !== metrics.duplicates_dropped),
  );
  expect(runMetricProblems({ ...honest, metrics_read_back: { ...withoutDuplicates, [metrics.curated_rows]: 10 } })).toEqual([
    `CloudWatch has ${namespace}/${metrics.curated_rows} = 10, the output holds 9`,
    `CloudWatch returned no ${namespace}/${metrics.duplicates_dropped} for the run`,
  ]);
});

test('counts that were not published are a failure with the reason', () => {
  expect(
    runMetricProblems({ ...honest, metrics_published: false, metrics_read_back: undefined, metrics_warning: 'EndpointConnectionError: …' }),
  ).toEqual(["the run's counts were not published to CloudWatch: EndpointConnectionError: …"]);
});
