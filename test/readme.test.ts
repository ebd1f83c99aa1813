import * as fs from 'node:fs';
import { currentSection, generatedSections, README_PATH } from '../ops/readme-sections';

const readme = fs.readFileSync(README_PATH, 'utf8');

// The README's tables of alarms and costs are rendered from the code; `npm run readme` rewrites them.
test.each(Object.entries(generatedSections()))('README section %s is what the code renders (run `npm run readme`)', (name, body) => {
  expect(currentSection(readme, name)).toBe(body);
});
