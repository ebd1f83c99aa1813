import {
  DEFAULT_START,
  InvalidGeneratorOptionsError,
  LOG_FORMATS,
  LogLineStream,
  generateLogLines,
  type LogFormat,
} from '../../generator/log-lines';
import { parseLine } from '../../lambda/shared/parsers';

describe('generateLogLines', () => {
  test('deterministic: the same options give the same lines; another seed gives others', () => {
    const a = generateLogLines({ count: 500, seed: 42 });
    expect(generateLogLines({ count: 500, seed: 42 })).toEqual(a);
    expect(generateLogLines({ count: 500, seed: 43 })).not.toEqual(a);
    expect(generateLogLines({ count: 100 })).toEqual(generateLogLines({ count: 100, seed: 1, start: DEFAULT_START }));
  });

  test('every format appears, in a rough balance, and only the requested ones', () => {
    const counts = new Map<LogFormat, number>();
    for (const { format } of generateLogLines({ count: 5000, seed: 7 })) counts.set(format, (counts.get(format) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...LOG_FORMATS].sort());
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
    const only = generateLogLines({ count: 300, seed: 7, formats: ['json', 'common'] });
    expect(new Set(only.map((l) => l.format))).toEqual(new Set(['json', 'common']));
  });

  test('lines are single lines, non-empty, valid text', () => {
    for (const { line } of generateLogLines({ count: 3000, seed: 9 })) {
      expect(line.length).toBeGreaterThan(20);
      expect(line).not.toContain('\n');
      expect(line).not.toContain('\r');
      expect(line).not.toContain('\u0000');
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
    }
  });

  test('timestamps advance from start at linesPerSecond', () => {
    const start = new Date('2026-03-01T12:00:00.000Z');
    const lines = generateLogLines({ count: 50, seed: 5, start, linesPerSecond: 4, formats: ['syslog_rfc5424', 'json', 'common'] });
    lines.forEach(({ line }, i) => {
      const parsed = parseLine(line, start.getTime());
      const expectedMs = start.getTime() + Math.floor(i * 250);
      // Apache logs have whole seconds; others keep milliseconds (a JSON line may use whole epoch seconds).
      const actualMs = Date.parse(parsed.timestamp!);
      expect(expectedMs - actualMs).toBeGreaterThanOrEqual(0);
      expect(expectedMs - actualMs).toBeLessThan(1000);
    });
  });

  test('realistic content: status mix, IPv4 and IPv6 clients, user agents, several hosts and apps', () => {
    const parsed = generateLogLines({ count: 4000, seed: 3 }).map(({ line }) => parseLine(line, DEFAULT_START.getTime()));
    const statuses = new Set(parsed.map((p) => p.status).filter((s) => s !== null));
    expect([200, 304, 404, 500].every((s) => statuses.has(s))).toBe(true);
    const ips = parsed.map((p) => p.client_ip).filter((ip): ip is string => ip !== null);
    expect(ips.some((ip) => ip.includes(':'))).toBe(true);
    expect(ips.some((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip))).toBe(true);
    expect(new Set(parsed.map((p) => p.user_agent)).size).toBeGreaterThan(5);
    expect(new Set(parsed.map((p) => p.host)).size).toBeGreaterThan(5);
    expect(new Set(parsed.map((p) => p.app)).size).toBeGreaterThan(5);
    expect(new Set(parsed.map((p) => p.severity)).size).toBeGreaterThan(6);
  });

  test.each([
    [{ count: -1 }, 'count must be a non-negative integer'],
    [{ count: 1.5 }, 'count must be a non-negative integer'],
    [{ count: 1, linesPerSecond: 0 }, 'linesPerSecond must be a positive number'],
    [{ count: 1, start: new Date('nope') }, 'start must be a valid Date'],
    [{ count: 1, formats: [] }, 'formats must name at least one format'],
    [{ count: 1, formats: ['apache'] as unknown as LogFormat[] }, "unknown format 'apache'"],
    [{ count: 1, seed: 0.5 }, 'seed must be an integer'],
  ])('invalid options %p → %s', (options, message) => {
    expect(() => generateLogLines(options)).toThrow(InvalidGeneratorOptionsError);
    expect(() => generateLogLines(options)).toThrow(message);
  });

  test('LogLineStream stamps lines with the time it is given', () => {
    const stream = new LogLineStream({ seed: 2, formats: ['syslog_rfc3164'] });
    const at = new Date('2026-07-04T09:08:07.000Z');
    expect(parseLine(stream.next(at).line, at.getTime()).timestamp).toBe('2026-07-04T09:08:07.000Z');
  });
});

describe('generator and parsers agree', () => {
  test.each([1, 2, 3, 1234, 99999])('seed %i: every generated line parses to its generated format', (seed) => {
    const start = new Date(Date.UTC(2026, 11, 31, 23, 50));
    const mismatches: string[] = [];
    for (const { format, line } of generateLogLines({ count: 4000, seed, start, linesPerSecond: 2 })) {
      const parsed = parseLine(line, start.getTime() + 3_600_000);
      if (parsed.format !== format) mismatches.push(`${format} → ${parsed.format}: ${line}`);
      else if (parsed.timestamp === null && format !== 'syslog_rfc5424') mismatches.push(`no timestamp: ${line}`);
    }
    expect(mismatches).toEqual([]);
  });
});
