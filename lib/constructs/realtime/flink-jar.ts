/**
 * The stream analytics job's shaded jar (analytics/flink), as scripts/flink-jar.sh builds it, and whether it is
 * current: synth refuses a missing or stale jar with the command that builds it, rather than deploying old code.
 * No CDK here.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../project-paths';

export const FLINK_MODULE = path.join(PROJECT_ROOT, 'analytics', 'flink');
export const FLINK_JAR_NAME = 'log-analytics-flink.jar';
export const FLINK_BUILD_COMMAND = 'bash scripts/flink-jar.sh';

/** Files under `dir`, relative to `base`, with forward slashes. */
function filesUnder(base: string, dir: string): string[] {
  return fs.readdirSync(path.join(base, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(base, rel) : entry.isFile() ? [rel] : [];
  });
}

/**
 * The hash scripts/flink-jar.sh stamps on the jar it built: `find pom.xml src -type f | LC_ALL=C sort | xargs
 * sha256sum | sha256sum`, i.e. the SHA-256 of one `<sha256>  <path>` line per source file in byte order.
 */
export function flinkSourcesHash(module: string = FLINK_MODULE): string {
  const files = ['pom.xml', ...filesUnder(module, 'src')].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const lines = files.map(
    (file) =>
      `${createHash('sha256')
        .update(fs.readFileSync(path.join(module, file)))
        .digest('hex')}  ${file}\n`,
  );
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * The jar's path when it exists and was built from the current sources; otherwise an error saying what to run.
 * A missing jar is never replaced by anything else: the application would run code nobody built.
 */
export function currentFlinkJar(module: string = FLINK_MODULE): string {
  const jar = path.join(module, 'target', FLINK_JAR_NAME);
  const rel = path.relative(PROJECT_ROOT, jar);
  if (!fs.existsSync(jar)) {
    throw new Error(
      `realtime.enabled needs the stream analytics job's jar, ${rel}, which is missing: run ${FLINK_BUILD_COMMAND} (Java 17; the first build fetches Flink from Maven Central)`,
    );
  }
  const stampFile = path.join(module, 'target', '.sources.sha256');
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (stamp !== flinkSourcesHash(module)) {
    throw new Error(`${rel} was not built from the current sources of ${path.relative(PROJECT_ROOT, module)}: run ${FLINK_BUILD_COMMAND}`);
  }
  return jar;
}
