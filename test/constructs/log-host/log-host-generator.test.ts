import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATOR_BUNDLE_FILE, bundleGenerator, demoFiles } from '../../../lib/constructs/log-host';
import { parseLine } from '../../../lambda/shared/parsers';

// The bundle the host downloads, built the way synth builds it, run with this machine's Node as the host
// runs it with AL2023's: every line it writes to each demo file must parse, in that file's format, with the
// transform Lambda's own parsers.
describe('demo generator on the host', () => {
  const bundleDir = bundleGenerator();
  const bundle = path.join(bundleDir, GENERATOR_BUNDLE_FILE);
  afterAll(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

  test('is one self-contained file (no node_modules on the host)', () => {
    const code = fs.readFileSync(bundle, 'utf8');
    const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.filter((name) => !name.startsWith('node:') && !['fs', 'path'].includes(name))).toEqual([]);
  });

  test.each(demoFiles().map((file) => [file.format, file.path] as const))(
    '%s lines written to %s parse as %s with the transform parsers',
    (format) => {
      const output = execFileSync(process.execPath, [bundle, '--format', format, '--count', '500'], { encoding: 'utf8' });
      const lines = output.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(500);
      const arrival = Date.now();
      const misparsed = lines.map((line) => ({ line, format: parseLine(line, arrival).format })).filter((r) => r.format !== format);
      expect(misparsed).toEqual([]);
    },
  );

  test('appends to the file the service names, as the systemd unit runs it', () => {
    const dir = fs.mkdtempSync(path.join(bundleDir, 'demo-'));
    const file = path.join(dir, 'combined.log');
    execFileSync(process.execPath, [bundle, '--format', 'combined', '--file', file, '--count', '20'], { encoding: 'utf8' });
    execFileSync(process.execPath, [bundle, '--format', 'combined', '--file', file, '--count', '5'], { encoding: 'utf8' });
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines).toHaveLength(25);
    expect(lines.every((line) => parseLine(line, Date.now()).format === 'combined')).toBe(true);
  });
});
