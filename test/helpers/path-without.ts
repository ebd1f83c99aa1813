/** Runs a command as on a machine without some program: PATH with that program hidden. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** PATH with every directory that holds `binary` replaced by a copy (in `dir`) of its links minus it. */
export function pathWithout(binary: string, dir: string): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((entry, i) => {
      if (!fs.existsSync(path.join(entry, binary))) return entry;
      const shadow = path.join(dir, `path-${i}`);
      fs.mkdirSync(shadow);
      for (const name of fs.readdirSync(entry)) if (name !== binary) fs.symlinkSync(path.join(entry, name), path.join(shadow, name));
      return shadow;
    })
    .join(path.delimiter);
}
