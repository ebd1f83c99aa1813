/**
 * The local run shows a long command's output as it is printed (the first Python install takes minutes),
 * not all at once at the end: each line reaches the log while the command is still running.
 */
import { runStreaming } from '../../local/steps/run-streaming';

test('each line is logged as it is printed, stdout and stderr both, before the command ends', async () => {
  const seen: Array<{ line: string; at: number }> = [];
  const started = Date.now();
  const run = await runStreaming('bash', ['-c', 'echo first; sleep 1.5; echo second >&2; sleep 0.2; exit 3'], (line) =>
    seen.push({ line, at: Date.now() - started }),
  );
  expect(run.status).toBe(3);
  expect(seen.map((s) => s.line)).toEqual(['first', 'second']);
  expect(run.output).toEqual(['first', 'second']);
  // 'first' arrived long before 'second' was printed, so it was not held back until exit.
  expect(seen[1].at - seen[0].at).toBeGreaterThan(1000);
});
