import fc from 'fast-check';
import { JSON_ROLE_KEYS, parseLine, roleKeyIndex, type ParsedLine } from '../../lambda/shared/parsers';
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
    expect(parse('<13>Nov 25 11:52:39 sshd[99]: Connection closed')).toMatchObject({
      host: null,
      app: 'sshd',
      proc_id: '99',
      message: 'Connection closed',
    });
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

  test('a line is not from the future: Dec 10 arriving on June 15 is last December, not six months ahead', () => {
    const arrival = Date.UTC(2026, 5, 15, 12, 0, 0);
    expect(parse('Dec 10 08:00:00 web-01 app: x', arrival).timestamp).toBe('2025-12-10T08:00:00.000Z');
    expect(parse('Jun 15 11:59:00 web-01 app: x', arrival).timestamp).toBe('2026-06-15T11:59:00.000Z');
  });

  test('local time east of UTC read as UTC stays in the arrival year (up to a day ahead is allowed)', () => {
    const arrival = Date.UTC(2026, 5, 15, 12, 0, 0);
    // A UTC+14 host writes 02:00 the next day at 12:00 UTC.
    expect(parse('Jun 16 02:00:00 web-01 app: x', arrival).timestamp).toBe('2026-06-16T02:00:00.000Z');
    expect(parse('Jun 16 12:00:00 web-01 app: x', arrival).timestamp).toBe('2026-06-16T12:00:00.000Z');
    expect(parse('Jun 16 12:00:01 web-01 app: x', arrival).timestamp).toBe('2025-06-16T12:00:01.000Z');
  });

  test('Feb 29 takes the most recent leap year that is not in the future', () => {
    expect(parse('<13>Feb 29 12:00:00 h app: x', Date.UTC(2028, 2, 1)).timestamp).toBe('2028-02-29T12:00:00.000Z');
    expect(parse('<13>Feb 29 12:00:00 h app: x', Date.UTC(2027, 2, 1)).timestamp).toBe('2024-02-29T12:00:00.000Z');
    expect(parse('<13>Feb 29 12:00:00 h app: x', Date.UTC(2028, 1, 1)).timestamp).toBe('2024-02-29T12:00:00.000Z');
  });

  test('the year is always the most recent one that puts the line no later than a day after arrival', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    /** The definition, without shortcuts: walk back from the arrival's next year to the first valid year not too late. */
    const mostRecent = (month: number, day: number, time: number, arrival: number): string | null => {
      const latest = arrival + 24 * 3600 * 1000;
      for (let year = new Date(arrival).getUTCFullYear() + 1; year >= 1970; year--) {
        const ms = Date.UTC(year, month, day) + time;
        if (new Date(ms).getUTCDate() !== day) continue;
        if (ms <= latest) return new Date(ms).toISOString();
      }
      return null;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 86_399_999 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(' ', '0', ''),
        (month, day, ms, arrival, pad) => {
          const seconds = Math.floor(ms / 1000);
          const hms = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
            .map((n) => String(n).padStart(2, '0'))
            .join(':');
          const dd = day < 10 ? `${pad}${day}` : String(day);
          const line = `<13>${MONTHS[month]} ${dd} ${hms}.${String(ms % 1000).padStart(3, '0')} host app: x`;
          const expected = day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month] ? null : mostRecent(month, day, ms, arrival);
          const parsed = parse(line, arrival);
          expect(parsed.format === 'unparsed' ? null : parsed.timestamp).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test('fractional seconds (truncated to ms) and an unpadded day', () => {
    expect(parse('Jul 14 12:17:01.234567 web-01 CRON[869]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)')).toEqual({
      ...NULLS,
      format: 'syslog_rfc3164',
      timestamp: '2026-07-14T12:17:01.234Z',
      host: 'web-01',
      app: 'CRON',
      proc_id: '869',
      message: '(root) CMD (cd / && run-parts --report /etc/cron.hourly)',
    });
    expect(parse('Apr 4 03:39:57 db-01 sshd[811]: Server listening on :: port 22.')).toMatchObject({
      format: 'syslog_rfc3164',
      timestamp: '2026-04-04T03:39:57.000Z',
      host: 'db-01',
      app: 'sshd',
    });
    expect(parse('<30>Apr 04 03:39:57.5 db-01 sshd: x').timestamp).toBe('2026-04-04T03:39:57.500Z');
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

describe('syslog with an RFC 3339 timestamp (format syslog_rfc3164)', () => {
  test("rsyslog's high-precision file format: microseconds and an offset, normalized to UTC", () => {
    expect(parse('2026-08-14T14:30:02.203151+02:00 web-01 systemd[4179]: Stopped target Basic System.')).toEqual({
      ...NULLS,
      format: 'syslog_rfc3164',
      timestamp: '2026-08-14T12:30:02.203Z',
      host: 'web-01',
      app: 'systemd',
      proc_id: '4179',
      message: 'Stopped target Basic System.',
    });
  });

  test('<PRI> + RFC 3339, as forwarders send it: PRI gives facility and severity', () => {
    expect(parse('<13>2026-07-23T09:30:45.123+02:00 web-02 billing: invoice 42 sent')).toEqual({
      ...NULLS,
      format: 'syslog_rfc3164',
      timestamp: '2026-07-23T07:30:45.123Z',
      host: 'web-02',
      severity: 'notice',
      facility: 'user',
      app: 'billing',
      message: 'invoice 42 sent',
    });
  });

  test.each([
    ['Z', '2026-03-01T00:00:00Z web-01 kernel: x', '2026-03-01T00:00:00.000Z'],
    ['negative offset crossing midnight', '2026-02-28T23:30:00-01:00 web-01 kernel: x', '2026-03-01T00:30:00.000Z'],
    ['offset without colon', '2026-04-26T01:23:45.101+0400 web-01 shutdown[2649]: x', '2026-04-25T21:23:45.101Z'],
    ['no offset: UTC', '2026-06-14T10:40:20.912134 web-01 sudo: x', '2026-06-14T10:40:20.912Z'],
    ['nanoseconds', '<14>2026-06-14T10:40:20.123456789Z web-01 app: x', '2026-06-14T10:40:20.123Z'],
  ])('%s', (_name, line, expected) => {
    expect(parse(line)).toMatchObject({ format: 'syslog_rfc3164', timestamp: expected });
  });

  test('the date is not read from the arrival: an old line keeps its year', () => {
    expect(parse('2019-06-14T13:01:15.412+01:30 localhost pam: user nobody logged out.', Date.UTC(2030, 0, 1)).timestamp).toBe(
      '2019-06-14T11:31:15.412Z',
    );
  });

  test.each([
    ['impossible date', '2026-02-30T00:00:00Z web-01 app: x'],
    ['offset beyond 18 h', '2026-02-01T00:00:00+19:00 web-01 app: x'],
    ['PRI above 191', '<192>2026-02-01T00:00:00Z web-01 app: x'],
    ['no space after the timestamp', '2026-02-01T00:00:00Zweb-01 app: x'],
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

  test('severity/msg/hostname/logger aliases; level before severity', () => {
    expect(parse('{"severity":"WARNING","msg":"m","hostname":"h","logger":"com.example.A","level":30}')).toMatchObject({
      severity: 'info',
      message: 'm',
      host: 'h',
      app: 'com.example.A',
      attributes: { severity: 'WARNING' },
    });
  });

  test.each([
    [10, 'trace'],
    [20, 'debug'],
    [30, 'info'],
    [40, 'warn'],
    [50, 'error'],
    [60, 'fatal'],
    [35, '35'],
    [0, '0'],
  ])('numeric level %j → %j (bunyan and pino levels by name, others as written)', (level, severity) => {
    expect(parse(`{"level":${level},"msg":"x"}`).severity).toBe(severity);
  });

  test('a level written as a digit string stays as written', () => {
    expect(parse('{"level":"30"}').severity).toBe('30');
  });

  test('pino default line: epoch ms time, numeric level, pid, hostname, msg', () => {
    expect(parse('{"level":30,"time":1785321000123,"pid":4242,"hostname":"api-01","msg":"request completed","reqId":"r-7"}')).toEqual({
      ...NULLS,
      format: 'json',
      timestamp: '2026-07-29T10:30:00.123Z',
      host: 'api-01',
      severity: 'info',
      proc_id: '4242',
      message: 'request completed',
      attributes: { reqId: 'r-7' },
    });
  });

  test('bunyan core fields: name is the app, v stays an attribute', () => {
    expect(
      parse('{"name":"orders","hostname":"worker-3","pid":77,"level":50,"msg":"payment declined","time":"2026-07-29T10:30:00.123Z","v":0}'),
    ).toEqual({
      ...NULLS,
      format: 'json',
      timestamp: '2026-07-29T10:30:00.123Z',
      host: 'worker-3',
      severity: 'error',
      app: 'orders',
      proc_id: '77',
      message: 'payment declined',
      attributes: { v: '0' },
    });
  });

  test('zap production: ts in epoch seconds with a fraction, caller kept', () => {
    expect(parse('{"level":"warn","ts":1785321000.25,"caller":"server/main.go:42","msg":"slow request","latency":1.5}')).toMatchObject({
      timestamp: '2026-07-29T10:30:00.250Z',
      severity: 'warn',
      message: 'slow request',
      attributes: { caller: 'server/main.go:42', latency: '1.5' },
    });
  });

  test('logrus / slog: RFC 3339 time with an offset', () => {
    expect(parse('{"level":"info","msg":"started","time":"2026-07-29T12:30:00+02:00","port":8080}')).toMatchObject({
      timestamp: '2026-07-29T10:30:00.000Z',
      severity: 'info',
      message: 'started',
    });
  });

  test('log4j2 JsonLayout: instant {epochSecond, nanoOfSecond}, loggerName, thread', () => {
    expect(
      parse(
        '{"instant":{"epochSecond":1785321000,"nanoOfSecond":987654321},"thread":"main","level":"WARN","loggerName":"com.example.Billing","message":"retrying","endOfBatch":false,"threadId":1}',
      ),
    ).toEqual({
      ...NULLS,
      format: 'json',
      timestamp: '2026-07-29T10:30:00.987Z',
      severity: 'warn',
      app: 'com.example.Billing',
      message: 'retrying',
      attributes: { thread: 'main', endOfBatch: 'false', threadId: '1' },
    });
  });

  test('log4j2 before 2.11: timeMillis', () => {
    expect(parse('{"timeMillis":1785321000123,"level":"INFO","loggerName":"a.B","message":"m"}')).toMatchObject({
      timestamp: '2026-07-29T10:30:00.123Z',
      app: 'a.B',
    });
  });

  test('an instant that is not {epochSecond, nanoOfSecond} is kept in attributes', () => {
    expect(parse('{"instant":{"epochSecond":"soon"},"msg":"x"}')).toMatchObject({
      timestamp: null,
      attributes: { instant: '{"epochSecond":"soon"}' },
    });
    expect(parse('{"instant":{"epochSecond":1785321000,"nanoOfSecond":1000000000}}').timestamp).toBeNull();
  });

  test('ECS layout: @timestamp, log.level, log.logger as flat dotted keys', () => {
    expect(
      parse(
        '{"@timestamp":"2026-07-29T10:30:00.123Z","log.level":"ERROR","message":"boom","ecs.version":"1.2.0","log.logger":"com.example.A"}',
      ),
    ).toMatchObject({
      timestamp: '2026-07-29T10:30:00.123Z',
      severity: 'error',
      message: 'boom',
      app: 'com.example.A',
      attributes: { 'ecs.version': '1.2.0' },
    });
  });

  test('lvl, logger_name (logstash-logback) and structlog event', () => {
    expect(parse('{"@timestamp":"2026-07-29T10:30:00Z","lvl":"DEBUG","logger_name":"c.e.Svc","thread_name":"t-1"}')).toMatchObject({
      severity: 'debug',
      app: 'c.e.Svc',
      attributes: { thread_name: 't-1' },
    });
    expect(parse('{"event":"user logged in","level":"info","timestamp":"2026-07-29T10:30:00.000001Z","user":"u1"}')).toMatchObject({
      timestamp: '2026-07-29T10:30:00.000Z',
      message: 'user logged in',
      attributes: { user: 'u1' },
    });
  });

  test('message wins over msg and event; the others stay in attributes', () => {
    expect(parse('{"event":"e","msg":"m","message":"x"}')).toMatchObject({ message: 'x', attributes: { msg: 'm', event: 'e' } });
  });

  test('a journal entry as the agent ships it (Fluent Bit systemd input, whole record, time added)', () => {
    const entry = {
      _HOSTNAME: 'ip-10-0-1-23',
      PRIORITY: '3',
      SYSLOG_FACILITY: '4',
      SYSLOG_IDENTIFIER: 'sshd',
      _SYSTEMD_UNIT: 'sshd.service',
      _PID: '1207',
      _TRANSPORT: 'syslog',
      _BOOT_ID: '0f7c1a9e4b5d4c3e8a2b1c0d9e8f7a6b',
      MESSAGE: 'error: kex_exchange_identification: Connection closed by remote host',
      time: '2026-07-29T10:30:00.123Z',
    };
    expect(parse(JSON.stringify(entry))).toEqual({
      ...NULLS,
      format: 'json',
      timestamp: '2026-07-29T10:30:00.123Z',
      host: 'ip-10-0-1-23',
      severity: 'err',
      facility: 'auth',
      app: 'sshd',
      proc_id: '1207',
      message: 'error: kex_exchange_identification: Connection closed by remote host',
      attributes: { _TRANSPORT: 'syslog', _BOOT_ID: '0f7c1a9e4b5d4c3e8a2b1c0d9e8f7a6b', _SYSTEMD_UNIT: 'sshd.service' },
    });
  });

  test('a journal entry without SYSLOG_IDENTIFIER takes its unit as the app; PRIORITY 0-7 by syslog name', () => {
    const names = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
    names.forEach((name, priority) => {
      expect(parse(`{"PRIORITY":"${priority}","_SYSTEMD_UNIT":"nginx.service","MESSAGE":"m"}`)).toMatchObject({
        severity: name,
        app: 'nginx.service',
      });
    });
    expect(parse('{"PRIORITY":"9","SYSLOG_FACILITY":"30","MESSAGE":"m"}')).toMatchObject({ severity: '9', facility: '30' });
  });

  test('numeric and boolean role values need no escaping; objects do', () => {
    expect(parseLine('{"level":30,"pid":7,"msg":"a"}', ARRIVAL).plainText).toBe(true);
    expect(parseLine('{"level":30,"msg":{"a":1}}', ARRIVAL).plainText).toBe(false);
  });

  test('roleKeyIndex numbers exactly the role keys, in table order (at most 31: a 32-bit mask)', () => {
    const flat = JSON_ROLE_KEYS.flat();
    expect(flat.length).toBeLessThanOrEqual(31);
    expect(flat.map(roleKeyIndex)).toEqual(flat.map((_key, i) => i));
    expect(['Time', 'levelname', 'toString', '__proto__', ''].map(roleKeyIndex)).toEqual([-1, -1, -1, -1, -1]);
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
    expect(['Z', '+00:00', '-07:00', '+0530', '+05', '+19:00', 'x', '+5:00'].map(offsetMinutesOf)).toEqual([
      0,
      0,
      -420,
      330,
      300,
      null,
      null,
      null,
    ]);
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
    expect(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map(monthNumber)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    expect(['jan', 'JAN', 'Sept', '', 'toString', '__proto__'].map(monthNumber)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
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
  expect(parseLine('127.0.0.1 - a"b [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1', ARRIVAL)).toMatchObject({
    user: 'a"b',
    plainText: false,
  });
});
