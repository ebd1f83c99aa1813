import fc from 'fast-check';
import { parseLine, type ParsedLine } from '../../lambda/shared/parse-line';
import {
  isoFromEpochNumber,
  isoFromIsoLike,
  millisFromFraction,
  monthNumber,
  offsetMinutesOf,
  offsetMinutesOfSignedHhmm,
} from '../../lambda/shared/timestamps';

const ARRIVAL = Date.UTC(2026, 10, 25, 11, 52, 40);

const NULLS: Omit<ParsedLine, 'format' | 'plainText'> = {
  timestamp: null,
  host: null,
  client_ip: null,
  user: null,
  method: null,
  path: null,
  protocol: null,
  status: null,
  bytes: null,
  referrer: null,
  user_agent: null,
  severity: null,
  facility: null,
  app: null,
  proc_id: null,
  message: null,
  attributes: null,
  raw: null,
};

/** parseLine's result with plain objects (attribute maps have no prototype) and without the serializer hint. */
function parse(line: string, arrival = ARRIVAL): Omit<ParsedLine, 'plainText'> {
  const { plainText, ...parsed } = parseLine(line, arrival);
  expect(typeof plainText).toBe('boolean');
  return { ...parsed, attributes: parsed.attributes === null ? null : { ...parsed.attributes } };
}

describe('Apache common / combined', () => {
  test('common log line (Apache docs example), offset applied to UTC', () => {
    expect(parse('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326')).toEqual({
      ...NULLS,
      format: 'common',
      timestamp: '2000-10-10T20:55:36.000Z',
      client_ip: '127.0.0.1',
      user: 'frank',
      method: 'GET',
      path: '/apache_pb.gif',
      protocol: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
    });
  });

  test('combined log line (Apache docs example)', () => {
    expect(
      parse(
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
      ),
    ).toEqual({
      ...NULLS,
      format: 'combined',
      timestamp: '2000-10-10T20:55:36.000Z',
      client_ip: '127.0.0.1',
      user: 'frank',
      method: 'GET',
      path: '/apache_pb.gif',
      protocol: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
      referrer: 'http://www.example.com/start.html',
      user_agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
  });

  test("nginx combined: '-' bytes → 0, '-' referrer and user → null, IPv6 client", () => {
    expect(parse('2001:db8::7 - - [31/Dec/2025:23:59:59 +0100] "HEAD /health HTTP/1.1" 304 - "-" "ELB-HealthChecker/2.0"')).toEqual({
      ...NULLS,
      format: 'combined',
      timestamp: '2025-12-31T22:59:59.000Z',
      client_ip: '2001:db8::7',
      method: 'HEAD',
      path: '/health',
      protocol: 'HTTP/1.1',
      status: 304,
      bytes: 0,
      user_agent: 'ELB-HealthChecker/2.0',
    });
  });

  test('offset crossing a year boundary and a +05:30 zone', () => {
    expect(parse('10.0.0.1 - - [01/Jan/2026:04:59:00 +0530] "GET / HTTP/1.1" 200 1').timestamp).toBe('2025-12-31T23:29:00.000Z');
  });

  test('escaped quotes in request and user agent are unescaped; identd and trailing fields kept in attributes', () => {
    expect(
      parse(
        '10.1.2.3 ident42 - [25/Nov/2026:11:52:39 +0000] "GET /search?q=\\"x\\" HTTP/1.1" 200 10 "-" "agent \\"quoted\\" \\\\ back" 0.004 "10.9.9.9"',
      ),
    ).toEqual({
      ...NULLS,
      format: 'combined',
      timestamp: '2026-11-25T11:52:39.000Z',
      client_ip: '10.1.2.3',
      method: 'GET',
      path: '/search?q="x"',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 10,
      user_agent: 'agent "quoted" \\ back',
      attributes: { ident: 'ident42', extra: '0.004 "10.9.9.9"' },
    });
  });

  test('a request line that is not METHOD TARGET PROTOCOL is kept in attributes.request (TLS to the HTTP port)', () => {
    expect(parse('198.51.100.1 - - [25/Nov/2026:11:52:39 +0000] "\\x16\\x03\\x01\\x02" 400 226')).toMatchObject({
      format: 'common',
      method: null,
      path: null,
      protocol: null,
      status: 400,
      attributes: { request: '\\x16\\x03\\x01\\x02' },
    });
    expect(parse('198.51.100.1 - - [25/Nov/2026:11:52:39 +0000] "-" 408 -')).toMatchObject({ method: null, attributes: null, bytes: 0 });
  });

  test('HTTP/0.9 request without protocol', () => {
    expect(parse('10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET /" 200 5')).toMatchObject({ method: 'GET', path: '/', protocol: null });
  });

  test.each([
    ['impossible date', '10.0.0.1 - - [31/Feb/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5'],
    ['unknown month', '10.0.0.1 - - [10/Foo/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5'],
    ['hour 24', '10.0.0.1 - - [10/Oct/2026:24:00:00 +0000] "GET / HTTP/1.1" 200 5'],
    ['status out of range', '10.0.0.1 - - [10/Oct/2026:11:00:00 +0000] "GET / HTTP/1.1" 099 5'],
    ['status not a number', '10.0.0.1 - - [10/Oct/2026:11:00:00 +0000] "GET / HTTP/1.1" OK 5'],
    ['truncated line', '10.0.0.1 - - [10/Oct/2026:11:00:00 +0000] "GET / HTTP/1.1" 200'],
    ['offset beyond 18h', '10.0.0.1 - - [10/Oct/2026:11:00:00 +9900] "GET / HTTP/1.1" 200 5'],
  ])('%s → unparsed, line kept in raw', (_name, line) => {
    expect(parse(line)).toEqual({ ...NULLS, format: 'unparsed', raw: line });
  });
});

describe('syslog RFC 3164', () => {
  test('RFC 3164 example with PRI, host, tag and pid; year from the arrival time', () => {
    expect(parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8")).toEqual({
      ...NULLS,
      format: 'syslog_rfc3164',
      timestamp: '2026-10-11T22:14:15.000Z',
      host: 'mymachine',
      severity: 'crit',
      facility: 'auth',
      app: 'su',
      proc_id: '123',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  test('without PRI, as rsyslog writes /var/log/syslog; space-padded day; tag with a slash', () => {
    expect(parse('Nov  5 07:03:01 web-01 postfix/smtp[2211]: 4EC6B25B00: to=<a@example.com>, status=sent')).toEqual({
      ...NULLS,
      format: 'syslog_rfc3164',
      timestamp: '2026-11-05T07:03:01.000Z',
      host: 'web-01',
      app: 'postfix/smtp',
      proc_id: '2211',
      message: '4EC6B25B00: to=<a@example.com>, status=sent',
    });
  });

  test('tag without pid (kernel) keeps a bracketed message intact', () => {
    expect(parse('<4>Nov 25 11:52:39 web-02 kernel: [UFW BLOCK] IN=eth0 SRC=203.0.113.5')).toMatchObject({
      app: 'kernel',
      proc_id: null,
      message: '[UFW BLOCK] IN=eth0 SRC=203.0.113.5',
      severity: 'warning',
      facility: 'kern',
    });
  });

  test('no hostname: the first token is the tag', () => {
    expect(parse('<13>Nov 25 11:52:39 sshd[99]: Connection closed')).toMatchObject({ host: null, app: 'sshd', proc_id: '99', message: 'Connection closed' });
  });

  test('no tag: the rest is the message', () => {
    expect(parse('<13>Nov 25 11:52:39 host1 just some text')).toMatchObject({ host: 'host1', app: null, message: 'just some text' });
  });

  test('Dec → Jan rollover: a December line arriving in January belongs to the previous year', () => {
    const arrival = Date.UTC(2027, 0, 1, 0, 0, 3);
    expect(parse('<13>Dec 31 23:59:58 web-01 CRON[4242]: job', arrival).timestamp).toBe('2026-12-31T23:59:58.000Z');
  });

  test('Jan line arriving on Dec 31 (sender clock ahead) belongs to the next year', () => {
    const arrival = Date.UTC(2026, 11, 31, 23, 59, 59);
    expect(parse('<13>Jan  1 00:00:01 web-01 app: hi', arrival).timestamp).toBe('2027-01-01T00:00:01.000Z');
  });

  test('Feb 29 takes the nearest leap year', () => {
    expect(parse('<13>Feb 29 12:00:00 h app: x', Date.UTC(2028, 2, 1)).timestamp).toBe('2028-02-29T12:00:00.000Z');
    expect(parse('<13>Feb 29 12:00:00 h app: x', Date.UTC(2026, 2, 1)).format).toBe('unparsed');
  });

  test('the year is always the closest of arrival year - 1, + 0, + 1 (the fast path for dates near the arrival agrees)', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    /** The definition, without shortcuts: every valid candidate year, the nearest wins (the earliest on a tie). */
    const closest = (month: number, day: number, time: number, arrival: number): string | null => {
      const year = new Date(arrival).getUTCFullYear();
      let best: number | null = null;
      for (const candidate of [year - 1, year, year + 1]) {
        const ms = Date.UTC(candidate, month, day) + time;
        if (new Date(ms).getUTCDate() !== day) continue;
        if (best === null || Math.abs(ms - arrival) < Math.abs(best - arrival)) best = ms;
      }
      return best === null ? null : new Date(best).toISOString();
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 86_399 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (month, day, seconds, arrival) => {
          const hms = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, '0')).join(':');
          const line = `<13>${MONTHS[month]} ${String(day).padStart(2, ' ')} ${hms} host app: x`;
          const expected = closest(month, day, seconds * 1000, arrival);
          const parsed = parse(line, arrival);
          expect(parsed.format === 'unparsed' ? null : parsed.timestamp).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test.each([
    ['PRI above 191', '<192>Oct 11 22:14:15 host app: x'],
    ['impossible date', '<13>Feb 30 22:14:15 host app: x'],
    ['minute 61', '<13>Oct 11 22:61:15 host app: x'],
    ['lower-case month', '<13>oct 11 22:14:15 host app: x'],
  ])('%s → unparsed', (_name, line) => {
    expect(parse(line)).toEqual({ ...NULLS, format: 'unparsed', raw: line });
  });
});

describe('syslog RFC 5424', () => {
  test('RFC 5424 example with structured data and MSGID', () => {
    expect(
      parse(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...',
      ),
    ).toEqual({
      ...NULLS,
      format: 'syslog_rfc5424',
      timestamp: '2003-10-11T22:14:15.003Z',
      host: 'mymachine.example.com',
      severity: 'notice',
      facility: 'local4',
      app: 'evntslog',
      message: 'An application event log entry...',
      attributes: {
        msgid: 'ID47',
        'sd.exampleSDID@32473.iut': '3',
        'sd.exampleSDID@32473.eventSource': 'Application',
        'sd.exampleSDID@32473.eventID': '1011',
      },
    });
  });

  test('NILVALUEs, microseconds truncated, offset converted, no message', () => {
    expect(parse('<34>1 2003-10-11T22:14:15.000999-07:00 - - - - -')).toEqual({
      ...NULLS,
      format: 'syslog_rfc5424',
      timestamp: '2003-10-12T05:14:15.000Z',
      severity: 'crit',
      facility: 'auth',
    });
  });

  test('NILVALUE timestamp → null (the record falls back to ingested_at)', () => {
    expect(parse('<14>1 - host app 12 - - hello')).toMatchObject({ timestamp: null, host: 'host', proc_id: '12', message: 'hello' });
  });

  test('several SD elements, escapes, an element without params, a repeated param, BOM before MSG', () => {
    expect(
      parse('<14>1 2026-11-25T11:52:39Z h a p m [a@1 x="say \\"hi\\" [ok\\]" y="C:\\\\t" z="\\n"][b@1][c@1 ip="1" ip="2"] \uFEFFtext'),
    ).toMatchObject({
      message: 'text',
      attributes: {
        msgid: 'm',
        'sd.a@1.x': 'say "hi" [ok]',
        'sd.a@1.y': 'C:\\t',
        'sd.a@1.z': '\\n',
        'sd.b@1': '',
        'sd.c@1.ip': '["1","2"]',
      },
    });
  });

  test.each([
    ['unterminated SD', '<14>1 2026-11-25T11:52:39Z h a p m [a@1 x="1" hello'],
    ['SD param without quotes', '<14>1 2026-11-25T11:52:39Z h a p m [a@1 x=1] hello'],
    ['bad timestamp', '<14>1 2026-13-25T11:52:39Z h a p m - hello'],
    ['timestamp without zone', '<14>1 2026-11-25T11:52:39 h a p m - hello'],
    ['missing fields', '<14>1 2026-11-25T11:52:39Z h a'],
    ['no space after SD', '<14>1 2026-11-25T11:52:39Z h a p m [a@1]hello'],
  ])('%s → unparsed', (_name, line) => {
    expect(parse(line)).toEqual({ ...NULLS, format: 'unparsed', raw: line });
  });
});

describe('JSON lines', () => {
  test('ISO timestamp, level, message, service, host; other keys stringified into attributes', () => {
    expect(
      parse(
        '{"timestamp":"2026-11-25T11:52:39.142Z","level":"INFO","message":"order placed","service":"checkout","host":"api-01","trace_id":"abc","duration_ms":12,"ok":true,"http":{"method":"POST","status":201},"tags":["a"],"none":null}',
      ),
    ).toEqual({
      ...NULLS,
      format: 'json',
      timestamp: '2026-11-25T11:52:39.142Z',
      host: 'api-01',
      severity: 'info',
      app: 'checkout',
      message: 'order placed',
      attributes: {
        trace_id: 'abc',
        duration_ms: '12',
        ok: 'true',
        http: '{"method":"POST","status":201}',
        tags: '["a"]',
        none: 'null',
      },
    });
  });

  test.each([
    ['epoch seconds', '{"ts":1764071559}', '2025-11-25T11:52:39.000Z'],
    ['epoch seconds with fraction', '{"ts":1764071559.142}', '2025-11-25T11:52:39.142Z'],
    ['epoch milliseconds', '{"ts":1764071559142}', '2025-11-25T11:52:39.142Z'],
    ['epoch microseconds', '{"ts":1764071559142999}', '2025-11-25T11:52:39.142Z'],
    ['epoch nanoseconds', '{"ts":1764071559142999000}', '2025-11-25T11:52:39.142Z'],
    ['epoch ms as a string', '{"time":"1764071559142"}', '2025-11-25T11:52:39.142Z'],
    ['@timestamp with offset', '{"@timestamp":"2026-01-01T01:30:00.5+01:30"}', '2026-01-01T00:00:00.500Z'],
    ['space separator, comma fraction, no zone (UTC)', '{"time":"2026-11-25 11:52:39,123456"}', '2026-11-25T11:52:39.123Z'],
    ['minutes only', '{"time":"2026-11-25T11:52Z"}', '2026-11-25T11:52:00.000Z'],
  ])('%s', (_name, line, expected) => {
    expect(parse(line).timestamp).toBe(expected);
  });

  test('time key priority: time, then timestamp, @timestamp, ts; the unused ones stay in attributes', () => {
    expect(parse('{"ts":1,"timestamp":"2026-01-02T00:00:00Z","time":"2026-01-01T00:00:00Z"}')).toMatchObject({
      timestamp: '2026-01-01T00:00:00.000Z',
      attributes: { timestamp: '2026-01-02T00:00:00Z', ts: '1' },
    });
  });

  test('an unusable time is kept in attributes and the next usable key wins', () => {
    expect(parse('{"time":"yesterday","ts":1764071559142,"msg":"x"}')).toMatchObject({
      timestamp: '2025-11-25T11:52:39.142Z',
      message: 'x',
      attributes: { time: 'yesterday' },
    });
    expect(parse('{"time":"yesterday"}')).toMatchObject({ timestamp: null, attributes: { time: 'yesterday' } });
  });

  test('severity/msg/hostname/logger aliases, numeric level as written', () => {
    expect(parse('{"severity":"WARNING","msg":"m","hostname":"h","logger":"com.example.A","level":30}')).toMatchObject({
      severity: '30',
      message: 'm',
      host: 'h',
      app: 'com.example.A',
      attributes: { severity: 'WARNING' },
    });
  });

  test('a __proto__ key is kept as data', () => {
    const parsed = parse('{"__proto__":{"polluted":1},"msg":"x"}');
    expect(parsed.attributes).toEqual({ ['__proto__']: '{"polluted":1}' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['invalid JSON', '{"a":'],
    ['array', '["a"]'],
    ['JSON with trailing text', '{"a":1} extra'],
  ])('%s → unparsed', (_name, line) => {
    expect(parse(line)).toEqual({ ...NULLS, format: 'unparsed', raw: line });
  });

  test('an empty object is a JSON line without fields', () => {
    expect(parse('{}')).toEqual({ ...NULLS, format: 'json' });
  });
});

describe('unparsed lines', () => {
  test.each(['hello world', ' leading space', '\tlog', '12345', '<>', '<abc> x', '-', 'Oct 11 22:14:15'])('%j is kept whole', (line) => {
    const parsed = parse(line);
    expect(parsed.raw ?? parsed.message).not.toBeNull();
    if (parsed.format === 'unparsed') expect(parsed.raw).toBe(line);
  });
});

describe('plainText hint matches the fields', () => {
  test.each([
    ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1', true],
    ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /\\"q HTTP/1.0" 200 1', false],
    ['{"msg":"a"}', true],
    ['{"msg":"a\\tb"}', false],
    ['{"msg":{"nested":1}}', false],
    ['raw\ttext', false],
  ])('%j → %s', (line, plain) => {
    expect(parseLine(line, ARRIVAL).plainText).toBe(plain);
  });
});

describe('timestamp helpers', () => {
  test('millisFromFraction truncates to milliseconds', () => {
    expect([undefined, '', '5', '12', '123', '123999'].map(millisFromFraction)).toEqual(['000', '000', '500', '120', '123', '123']);
  });

  test('offsetMinutesOf', () => {
    expect(['Z', '+00:00', '-07:00', '+0530', '+05', '+19:00', 'x', '+5:00'].map(offsetMinutesOf)).toEqual([0, 0, -420, 330, 300, null, null, null]);
  });

  test('offsetMinutesOfSignedHhmm (the access-log fast path) agrees with offsetMinutesOf on every [+-]HHMM', () => {
    for (const sign of ['+', '-']) {
      for (let n = 0; n <= 9999; n++) {
        const zone = `${sign}${String(n).padStart(4, '0')}`;
        // === rather than toBe: -0000 may come back as -0, the same offset (isoFromParts compares with ===).
        expect(offsetMinutesOfSignedHhmm(zone) === offsetMinutesOf(zone)).toBe(true);
      }
    }
  });

  test('monthNumber knows the twelve abbreviations, case-sensitively, and nothing else', () => {
    expect(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map(monthNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(['jan', 'JAN', 'Sept', '', 'toString', '__proto__'].map(monthNumber)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('isoFromIsoLike rejects out-of-range years and impossible dates', () => {
    expect(isoFromIsoLike('0999-01-01T00:00:00Z')).toBeNull();
    expect(isoFromIsoLike('2026-02-29T00:00:00Z')).toBeNull();
    expect(isoFromIsoLike('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(isoFromIsoLike('9999-12-31T23:59:59-01:00')).toBeNull();
  });

  test('isoFromEpochNumber rejects negatives and non-finite numbers', () => {
    expect([-1, Number.NaN, Infinity].map(isoFromEpochNumber)).toEqual([null, null, null]);
    expect(isoFromEpochNumber(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

test('plainText: an unquoted access-log field with a quote is escaped', () => {
  expect(parseLine('127.0.0.1 - a"b [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1', ARRIVAL)).toMatchObject({ user: 'a"b', plainText: false });
});
