/**
 * Custom formats at run time: lines of two formats of the public log collections (HDFS, Apache error
 * log), written here, read by the formats in examples/formats/hdfs-apache-error.json; the built-ins win;
 * the time layouts and zones; lines a format cannot read stay unparsed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLine } from '../../lambda/shared/parsers';
import { compileCustomFormat, CustomFormatError, timeReader, type CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';
import { serializeRecord } from '../../lambda/shared/serialize';
import { PROJECT_ROOT } from '../../lib/project-paths';

const EXAMPLE_FILE = path.join(PROJECT_ROOT, 'examples', 'formats', 'hdfs-apache-error.json');
const DEFINITIONS = (JSON.parse(fs.readFileSync(EXAMPLE_FILE, 'utf8')) as { formats: CustomFormatDefinition[] }).formats;
const FORMATS = DEFINITIONS.map(compileCustomFormat);
const ARRIVAL = Date.UTC(2026, 11, 6, 3, 20);

const parse = (line: string, formats = FORMATS) => parseLine(line, ARRIVAL, formats);

describe('HDFS and Apache error lines', () => {
  test.each([
    [
      '261205 235959 2 INFO dfs.DataNode$DataXceiver: Receiving block blk_5 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
      {
        format: 'hdfs',
        timestamp: '2026-12-05T23:59:59.000Z',
        proc_id: '2',
        severity: 'info',
        app: 'dfs.DataNode$DataXceiver',
        message: 'Receiving block blk_5 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
        attributes: { block: 'blk_5' },
      },
    ],
    [
      '260229 120000 7 ERROR dfs.FSDataset: Unexpected error trying to delete block. BlockInfo not found in volumeMap.',
      // 2026 is no leap year: 29 February does not exist, so the line is not HDFS (and nothing else reads it).
      {
        format: 'unparsed',
        raw: '260229 120000 7 ERROR dfs.FSDataset: Unexpected error trying to delete block. BlockInfo not found in volumeMap.',
      },
    ],
    [
      '[Sat Dec 05 23:01:02 2026] [warn] [client 2001:db8::7] File does not exist: /srv/www/favicon.ico',
      {
        format: 'apache_error',
        timestamp: '2026-12-05T23:01:02.000Z',
        severity: 'warn',
        client_ip: '2001:db8::7',
        message: 'File does not exist: /srv/www/favicon.ico',
        attributes: null,
      },
    ],
    [
      '[Sat Dec 05 23:01:03 2026] [notice] Apache/2.2.3 configured -- resuming normal operations',
      {
        format: 'apache_error',
        timestamp: '2026-12-05T23:01:03.000Z',
        severity: 'notice',
        client_ip: null,
        message: 'Apache/2.2.3 configured -- resuming normal operations',
      },
    ],
  ])('%s', (line, expected) => {
    const parsed = parse(line);
    const fields = Object.fromEntries(
      Object.keys(expected).map((k) => [
        k,
        k === 'attributes' && parsed.attributes ? { ...parsed.attributes } : (parsed as unknown as Record<string, unknown>)[k],
      ]),
    );
    expect(fields).toEqual(expected);
  });

  test('the record names the custom format and keeps its fields, JSON-escaped where the line needs it', () => {
    const parsed = parse('[Sat Dec 05 23:01:02 2026] [error] [client 192.0.2.1] script "/srv/cgi-bin/a\\b" not found');
    expect(parsed.plainText).toBe(false);
    const record = JSON.parse(serializeRecord('0'.repeat(32), 'kafka', '2026-12-06T03:20:00.000Z', parsed)) as Record<string, unknown>;
    expect(record).toMatchObject({
      format: 'apache_error',
      source: 'kafka',
      client_ip: '192.0.2.1',
      message: 'script "/srv/cgi-bin/a\\b" not found',
    });
  });

  test('without the custom formats, the same lines are unparsed: nothing changes for a stage without formats', () => {
    expect(parse('261205 235959 2 INFO dfs.DataNode$DataXceiver: Receiving block', []).format).toBe('unparsed');
    expect(parseLine('261205 235959 2 INFO dfs.DataNode$DataXceiver: Receiving block', ARRIVAL).format).toBe('unparsed');
  });
});

describe('built-ins first', () => {
  // Reads any line at all: only lines no built-in reads may reach it.
  const anything = compileCustomFormat({ name: 'anything', pattern: '^(?<message>.*)$', examples: [] });

  test.each([
    ['10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5', 'common'],
    ['<34>Nov 25 11:52:39 web1 sshd[42]: Failed password', 'syslog_rfc3164'],
    ['{"level":"info","msg":"hi"}', 'json'],
    ['something no built-in reads', 'anything'],
  ])('%s → %s', (line, format) => {
    expect(parse(line, [anything]).format).toBe(format);
  });

  test('custom formats are tried in order: the first that reads the line names it', () => {
    const digits = compileCustomFormat({ name: 'digits', pattern: '^(?<message>\\d+)$', examples: [] });
    expect(parse('12345', [digits, anything]).format).toBe('digits');
    expect(parse('12345', [anything, digits]).format).toBe('anything');
  });

  test("a format named like an Object property ('constructor') serializes as its name", () => {
    const named = compileCustomFormat({ name: 'constructor', pattern: '^(?<message>x.*)$', examples: [] });
    const record = JSON.parse(serializeRecord('0'.repeat(32), 'kinesis', '2026-12-06T03:20:00.000Z', parse('x1', [named]))) as Record<
      string,
      unknown
    >;
    expect(record.format).toBe('constructor');
  });
});

describe('groups', () => {
  test('status and bytes become numbers; a line whose status is not one the schema allows does not match', () => {
    const format = compileCustomFormat({ name: 'tiny', pattern: '^(?<status>\\S+) (?<bytes>\\S+) (?<method>\\S+)$', examples: [] });
    expect(parse('404 512 GET', [format])).toMatchObject({ format: 'tiny', status: 404, bytes: 512, method: 'GET' });
    expect(parse('99 512 GET', [format]).format).toBe('unparsed');
    expect(parse('404 -1 GET', [format]).format).toBe('unparsed');
  });

  test('a group named like a field the pipeline writes is refused, naming the fields a group may fill', () => {
    expect(() => compileCustomFormat({ name: 'x', pattern: '^(?<event_id>\\S+)', examples: [] })).toThrow(
      /group 'event_id' names a field the pipeline writes itself; groups may fill host, client_ip/,
    );
    expect(() => compileCustomFormat({ name: 'x', pattern: '^(?<timestamp>\\S+)', examples: [] })).toThrow(
      /'timestamp' must be the time group/,
    );
    expect(() => compileCustomFormat({ name: 'x', pattern: '^(?<when>\\S+)', time: { layout: 'iso8601' }, examples: [] })).toThrow(
      /time.group 'timestamp' is not a named group of the pattern \(its groups: when\)/,
    );
  });
});

describe('time layouts', () => {
  test.each([
    ['iso8601', 'UTC', '2026-12-06T03:12:30.123456+01:00', '2026-12-06T02:12:30.123Z'],
    ['iso8601', '+05:30', '2026-12-06 03:12:30', '2026-12-05T21:42:30.000Z'],
    ['epoch_s', 'UTC', '1796526750.5', '2026-12-06T03:12:30.500Z'],
    ['epoch_ms', 'UTC', '1796526750123', '2026-12-06T03:12:30.123Z'],
    ['%Y-%m-%d %H:%M:%S,%f', 'UTC', '2026-12-06 03:12:30,987', '2026-12-06T03:12:30.987Z'],
    ['%y%m%d %H%M%S', 'UTC', '691231 235959', '1969-12-31T23:59:59.000Z'],
    ['%y%m%d %H%M%S', 'UTC', '680101 000000', '2068-01-01T00:00:00.000Z'],
    ['%a %b %d %H:%M:%S %Y', 'UTC', 'Sun Dec 06 03:12:30 2026', '2026-12-06T03:12:30.000Z'],
    ['%d/%b/%Y:%H:%M:%S %z', 'Asia/Tokyo', '06/Dec/2026:03:12:30 -0800', '2026-12-06T11:12:30.000Z'],
    ['%b %e %H:%M:%S %Y', 'UTC', 'Dec  6 03:12:30 2026', '2026-12-06T03:12:30.000Z'],
    ['%B %d, %Y %H:%M', 'UTC', 'December 06, 2026 03:12', '2026-12-06T03:12:00.000Z'],
    // Daylight saving time: Berlin is UTC+1 in winter, UTC+2 in summer.
    ['%Y-%m-%d %H:%M:%S', 'Europe/Berlin', '2026-12-06 03:12:30', '2026-12-06T02:12:30.000Z'],
    ['%Y-%m-%d %H:%M:%S', 'Europe/Berlin', '2026-07-06 03:12:30', '2026-07-06T01:12:30.000Z'],
  ])('%s in %s: %s → %s', (layout, zone, text, expected) => {
    expect(timeReader(layout, zone)(text)).toBe(expected);
  });

  test.each([
    ['%Y-%m-%d %H:%M:%S', '2026-02-30 00:00:00'],
    ['%Y-%m-%d %H:%M:%S', '2026-12-06 24:00:00'],
    ['%Y-%m-%d %H:%M:%S', '2026-12-06T03:12:30'],
    ['%b %d %H:%M:%S %Y', 'Dez 06 03:12:30 2026'],
    ['%a %b %d %H:%M:%S %Y', 'Sny Dec 06 03:12:30 2026'],
    ['epoch_s', '-5'],
    ['iso8601', 'yesterday'],
  ])('%s refuses %s', (layout, text) => {
    expect(timeReader(layout, 'UTC')(text)).toBeNull();
  });

  test.each([
    ['%Y-%m-%d %Q', 'UTC', /unknown directive '%Q'/],
    ['yyyy-MM-dd', 'UTC', /none of iso8601, epoch_s, epoch_ms and has no % directive/],
    ['%H:%M:%S', 'UTC', /needs one of %Y, %y/],
    ['iso8601', 'Mars/Olympus', /time.zone 'Mars\/Olympus' is not 'UTC', an offset like \+05:30, or an IANA zone name/],
    ['iso8601', '+25:00', /time.zone '\+25:00' is not an offset/],
  ])('layout %s, zone %s is refused', (layout, zone, message) => {
    expect(() => timeReader(layout, zone)).toThrow(CustomFormatError);
    expect(() => timeReader(layout, zone)).toThrow(message);
  });
});
