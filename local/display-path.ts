/** A path as messages show it: relative to the current folder when inside it, else absolute (a --dir elsewhere). */
import * as path from 'node:path';

export function displayPath(target: string): string {
  const relative = path.relative(process.cwd(), target);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(target) : relative;
}
