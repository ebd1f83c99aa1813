/** The LICENSE file is the license package.json names, in its standard text. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-paths';

/** SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt, the text the Apache Software Foundation publishes. */
const APACHE_2_0_SHA256 = 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30';

test('package.json says Apache-2.0 and LICENSE holds the Apache License 2.0, unaltered', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { license: string };
  expect(pkg.license).toBe('Apache-2.0');
  const text = fs.readFileSync(path.join(PROJECT_ROOT, 'LICENSE'));
  expect(text.toString('utf8')).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  expect(createHash('sha256').update(text).digest('hex')).toBe(APACHE_2_0_SHA256);
});
