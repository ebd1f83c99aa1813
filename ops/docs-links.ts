/**
 * Relative links in the Markdown pages (README.md, CHANGELOG.md, docs/): every target file must exist and
 * every `#anchor` must name a heading of the page it points at, with GitHub's heading slugs.
 * test/docs.test.ts runs this over every page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-paths';

/** The pages whose links are checked, relative to the project root. */
export function markdownPages(root = PROJECT_ROOT): string[] {
  const pages = ['README.md', 'CHANGELOG.md'].filter((p) => fs.existsSync(path.join(root, p)));
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return walk(rel);
      return entry.name.endsWith('.md') ? [rel] : [];
    });
  return fs.existsSync(path.join(root, 'docs')) ? [...pages, ...walk('docs').sort()] : pages;
}

/** The page's text outside fenced code blocks, line by line (links and headings in code are not links). */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of proseLines(text)) {
    const match = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const base = match[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return anchors;
}

/** Every `[text](target)` of the page outside code, with inline code spans removed first. */
export function linkTargets(text: string): string[] {
  return proseLines(text).flatMap((line) => [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]));
}

/** The page's broken relative links, each with what is wrong; `read` gives a page's text by absolute path. */
export function brokenLinks(
  page: string,
  text: string,
  root = PROJECT_ROOT,
  read = (file: string) => fs.readFileSync(file, 'utf8'),
): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — not a file of this project
    const [file, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = file === '' ? path.join(root, page) : path.resolve(path.dirname(path.join(root, page)), decodeURIComponent(file));
    if (!resolved.startsWith(root) || !fs.existsSync(resolved)) {
      broken.push(`${page}: ${target} (no such file)`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md')) continue;
    if (!headingAnchors(read(resolved)).has(anchor)) broken.push(`${page}: ${target} (no heading with anchor #${anchor})`);
  }
  return broken;
}
