/**
 * The layout's import rules: contracts/ (what components share: lake layout, record types, metric names, Glue run metrics,
 * limits) imports nothing else of the project, and the Lambdas import only contracts/ and their own code, never
 * the CDK app (lib/), the local run (local/) or the commands (ops/); and the commands and the local run do not
 * import each other: what both use (the command-line helper, the record validator) lives in lib/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

const IMPORT = /(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts file under `dir` (relative to the project), with the project-relative targets of its relative imports. */
function relativeImports(dir: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        for (const match of fs.readFileSync(full, 'utf8').matchAll(IMPORT)) {
          out.push({
            file: path.relative(PROJECT_ROOT, full),
            target: path.relative(PROJECT_ROOT, path.resolve(path.dirname(full), match[1])),
          });
        }
      }
    }
  };
  walk(path.join(PROJECT_ROOT, dir));
  return out;
}

test('contracts/ imports nothing of the project outside contracts/', () => {
  const imports = relativeImports('contracts');
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((i) => !i.target.startsWith(`contracts${path.sep}`))).toEqual([]);
});

test('the Lambdas import only contracts/ and lambda/, never lib/, local/ or ops/', () => {
  const imports = relativeImports('lambda');
  expect(imports.some((i) => i.target.startsWith(`contracts${path.sep}`))).toBe(true);
  expect(imports.filter((i) => !i.target.startsWith(`contracts${path.sep}`) && !i.target.startsWith(`lambda${path.sep}`))).toEqual([]);
});

test.each([
  ['ops', 'local'],
  ['local', 'ops'],
])('%s/ imports nothing of %s/', (from, to) => {
  const imports = relativeImports(from);
  expect(imports.some((i) => i.target.startsWith(`lib${path.sep}`))).toBe(true);
  expect(imports.filter((i) => i.target.startsWith(`${to}${path.sep}`))).toEqual([]);
});
