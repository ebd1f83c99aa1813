import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

// docs/security.md, the one place roles and permissions are listed, lists the permissions `npm run verify` needs:
// every AWS call the command makes must be named there, so the list grows with the code.
const VERIFY_DIR = path.join(PROJECT_ROOT, 'ops', 'verify');
const HEADING = '### The operator running verify';
const page = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
const start = page.indexOf(HEADING);
const section = start < 0 ? '' : page.slice(start, page.indexOf('\n#', start + HEADING.length));

function sdkCalls(): { service: string; command: string }[] {
  const calls: { service: string; command: string }[] = [];
  for (const file of fs.readdirSync(VERIFY_DIR).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(VERIFY_DIR, file), 'utf8');
    const serviceOf = new Map<string, string>();
    for (const m of source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of m[1].split(',').map((n) => n.trim().replace(/^type /, ''))) serviceOf.set(name, m[2]);
    }
    for (const m of source.matchAll(/new ([A-Z][A-Za-z0-9]*)Command\(/g)) {
      calls.push({ service: serviceOf.get(`${m[1]}Command`) ?? '?', command: m[1] });
    }
  }
  return calls;
}

test("every AWS call of npm run verify is among docs/security.md's listed permissions", () => {
  const calls = sdkCalls();
  expect(section.length).toBeGreaterThan(0);
  expect(new Set(calls.map((c) => c.service))).toEqual(new Set(['cloudformation', 'ssm', 's3', 'glue', 'athena']));
  for (const { service, command } of calls) {
    // S3 reads are listed by prefix ("S3 read of …"), the rest by action name.
    if (service === 's3') expect(section).toMatch(/S3 read of/);
    else expect({ command, listed: section.includes(command) }).toEqual({ command, listed: true });
  }
});
