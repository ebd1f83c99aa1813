/**
 * `npm run local` as a user runs it (tsx local/run.ts), for the cases that must fail fast and say why:
 * a --lines-per-record too large for a Kinesis record, and a machine without Java on PATH.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { pathWithout } from '../helpers/path-without';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

function runLocal(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(TSX, [path.join(PROJECT_ROOT, 'local', 'run.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', env, timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('npm run local: fails fast with a clear message', () => {
  test('--lines-per-record too large for one Kinesis record is a usage error naming the option and the limit', () => {
    const { status, output } = runLocal(['--lines', '20000', '--lines-per-record', '20000']);
    expect(status).toBe(2);
    expect(output).toMatch(/--lines-per-record 20000 packs up to [\d,]+ bytes into one Kinesis record; a record holds at most 1,048,576 bytes \(1 MiB\)/);
    expect(output).toMatch(/--lines-per-record \d+ or less always fits/);
    expect(output).not.toMatch(/RangeError|\n\s+at /);
  });

  test('--kafka-batch-size above the mapping maximum is a usage error naming the limit', () => {
    const { status, output } = runLocal(['--kafka-batch-size', '20000']);
    expect(status).toBe(2);
    expect(output).toContain("--kafka-batch-size is at most 10000 (the mapping's maximum), got 20000");
  });

  test('without Java on PATH it says Java 17 is needed and what to install, before starting anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-java-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithout('java', dir) };
      delete env.JAVA_HOME;
      expect(spawnSync('java', ['-version'], { env }).error).toBeDefined();
      const { status, output } = runLocal([], env);
      expect(status).toBe(1);
      expect(output).toMatch(/java: Java 17\+ is needed \(Spark runs the Glue job's transform on it\) and was not found/);
      expect(output).toContain('sudo apt-get install -y openjdk-17-jre-headless');
      // Nothing else ran: no Python install, no emulator, no Spark traceback.
      expect(output).not.toMatch(/python-env|moto_server|JAVA_GATEWAY_EXITED/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
