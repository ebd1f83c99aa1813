/**
 * The local run shows scripts/kafka-jars.sh's progress lines as they come (a first fetch is tens of seconds,
 * about 44 MB): ensureKafkaJars hands each line of its stderr to the caller's log, and returns the jar folder.
 */
import * as fs from 'node:fs';
import { ensureKafkaJars } from '../../local/kafka/broker';

test("the jar fetch's own lines reach the run's log, and the jar folder comes back", async () => {
  const lines: string[] = [];
  const libDir = await ensureKafkaJars((line) => lines.push(line));
  expect(fs.readdirSync(libDir).some((name) => /^kafka_2\.13-.*\.jar$/.test(name))).toBe(true);
  expect(lines.some((line) => line.startsWith('check-java: Java 17'))).toBe(true);
  // Cached: "is up to date (N jars)"; fetched: "fetching … (once; about 44 MB …)" then "N jars in …".
  expect(lines.some((line) => /^kafka-jars: (.* is up to date \(\d+ jars\)|fetching the jars of .* about 44 MB)/.test(line))).toBe(true);
});
