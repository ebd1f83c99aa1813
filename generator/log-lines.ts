/**
 * Seeded, deterministic generator of realistic log lines in every format the pipeline parses.
 *
 * Pure: the same options give the same lines on every machine, so tests, the local run, the benchmark and
 * the demo host all exercise the same corpus. Standard library and contracts/ only (the CLI is bundled for an EC2 host).
 */
import { FACILITY_NAMES } from '../contracts/syslog';

/** Line formats the generator writes: the record schema's `format` enum minus 'unparsed'. */
export const LOG_FORMATS = ['common', 'combined', 'syslog_rfc3164', 'syslog_rfc5424', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface GeneratedLine {
  readonly format: LogFormat;
  readonly line: string;
}

export interface GenerateOptions {
  /** How many lines to generate. */
  readonly count: number;
  /**
   * Seed of the pseudo-random sequence; the same seed gives the same lines.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Formats to draw from, chosen uniformly per line.
   * @default all of LOG_FORMATS
   */
  readonly formats?: readonly LogFormat[];
  /**
   * Time of the first line.
   * @default 2026-01-01T00:00:00.000Z (fixed, so output stays deterministic)
   */
  readonly start?: Date;
  /**
   * Event rate that spaces the lines' timestamps (line i is at start + i / linesPerSecond).
   * @default 10
   */
  readonly linesPerSecond?: number;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_START = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 0));
export const DEFAULT_LINES_PER_SECOND = 10;

/** Thrown for options that cannot produce lines (bad count, unknown format, bad rate or date). */
export class InvalidGeneratorOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidGeneratorOptionsError';
  }
}

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/** Generates `count` lines; line timestamps advance from `start` at `linesPerSecond`. */
export function generateLogLines(options: GenerateOptions): GeneratedLine[] {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidGeneratorOptionsError(`count must be a non-negative integer, got ${count}`);
  }
  const linesPerSecond = options.linesPerSecond ?? DEFAULT_LINES_PER_SECOND;
  if (!(linesPerSecond > 0) || !Number.isFinite(linesPerSecond)) {
    throw new InvalidGeneratorOptionsError(`linesPerSecond must be a positive number, got ${linesPerSecond}`);
  }
  const start = options.start ?? DEFAULT_START;
  if (Number.isNaN(start.getTime())) {
    throw new InvalidGeneratorOptionsError('start must be a valid Date');
  }
  const stream = new LogLineStream({ seed: options.seed, formats: options.formats });
  const startMs = start.getTime();
  const stepMs = 1000 / linesPerSecond;
  const lines: GeneratedLine[] = new Array(count);
  for (let i = 0; i < count; i++) {
    lines[i] = stream.next(new Date(startMs + Math.floor(i * stepMs)));
  }
  return lines;
}

export interface LogLineStreamOptions {
  /** @default 1 */
  readonly seed?: number;
  /** @default all of LOG_FORMATS */
  readonly formats?: readonly LogFormat[];
}

/**
 * An endless, seeded stream of lines, each stamped with the time the caller gives: the CLI stamps lines
 * with the wall clock, `generateLogLines` with a synthetic clock.
 */
export class LogLineStream {
  private readonly random: Random;
  private readonly formats: readonly LogFormat[];

  constructor(options: LogLineStreamOptions = {}) {
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isInteger(seed)) {
      throw new InvalidGeneratorOptionsError(`seed must be an integer, got ${seed}`);
    }
    const formats = options.formats ?? LOG_FORMATS;
    if (formats.length === 0) {
      throw new InvalidGeneratorOptionsError('formats must name at least one format');
    }
    for (const format of formats) {
      if (!isLogFormat(format)) {
        throw new InvalidGeneratorOptionsError(`unknown format '${String(format)}'; expected one of ${LOG_FORMATS.join(', ')}`);
      }
    }
    this.random = new Random(seed);
    this.formats = [...formats];
  }

  next(at: Date): GeneratedLine {
    const format = this.random.pick(this.formats);
    return { format, line: LINE_WRITERS[format](this.random, at) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pseudo-random numbers: mulberry32, small and fast, good enough for test data (not for secrets).

class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of items) total += weight;
    let roll = this.float() * total;
    for (const [value, weight] of items) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return items[items.length - 1][0];
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX_DIGITS[this.int(0, 15)];
    return out;
  }
}

const HEX_DIGITS = '0123456789abcdef';

// ---------------------------------------------------------------------------------------------------------
// Vocabulary.

const HOSTS = ['web-01', 'web-02', 'web-03', 'api-01', 'api-02', 'db-primary', 'cache-01', 'worker-07', 'bastion'];
const DOMAIN = 'prod.example.internal';
const USERS = ['alice', 'bob', 'carol', 'deploy', 'svc-reports', 'frank'];
const HTTP_PATHS = [
  '/',
  '/index.html',
  '/favicon.ico',
  '/robots.txt',
  '/login',
  '/logout',
  '/api/v1/orders',
  '/api/v1/orders/{id}',
  '/api/v1/users/{id}/profile',
  '/api/v2/search?q={word}&page={n}',
  '/static/js/app.{hex}.js',
  '/static/css/site.{hex}.css',
  '/images/products/{id}.jpg',
  '/cart/checkout',
  '/health',
  '/wp-login.php',
  '/.env',
  '/products/{word}?utm_source=newsletter&utm_campaign=spring%20sale',
];
const WRITABLE_PATH = /^\/(api|login|logout|cart|wp-login)/;
const WORDS = ['shoes', 'laptop', 'coffee', 'garden', 'camera', 'kafka', 'lake', 'caf%C3%A9', 'red+dress'];
const REFERRERS = [
  '-',
  '-',
  'https://www.google.com/',
  'https://www.bing.com/search?q=example',
  'https://shop.example.com/',
  'https://shop.example.com/cart',
  'https://t.co/AbCdEf123',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'ELB-HealthChecker/2.0',
  'Go-http-client/1.1',
  '-',
];
const METHODS: readonly (readonly [string, number])[] = [
  ['GET', 70],
  ['POST', 15],
  ['PUT', 4],
  ['DELETE', 2],
  ['HEAD', 6],
  ['OPTIONS', 2],
  ['PATCH', 1],
];
const STATUSES: readonly (readonly [number, number])[] = [
  [200, 70],
  [201, 3],
  [204, 2],
  [301, 3],
  [302, 4],
  [304, 6],
  [400, 2],
  [401, 2],
  [403, 1],
  [404, 5],
  [429, 1],
  [500, 1],
  [502, 1],
  [503, 1],
];
const PROTOCOLS: readonly (readonly [string, number])[] = [
  ['HTTP/1.1', 80],
  ['HTTP/2.0', 15],
  ['HTTP/1.0', 5],
];
/** UTC offsets in minutes that access logs are written in (local time of the server). */
const ZONE_OFFSETS_MINUTES = [0, 0, 0, -420, -300, 60, 120, 330, 540, -210];

// The names the parsers read facility codes by (RFC 5424): the generator writes what they expect.
const FACILITIES = FACILITY_NAMES;
const SEVERITIES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 8],
  [4, 12],
  [5, 15],
  [6, 50],
  [7, 11],
];
const SYSLOG_PROGRAMS: readonly { app: string; facility: number; messages: readonly string[] }[] = [
  {
    app: 'sshd',
    facility: 4,
    messages: [
      'Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:{hex}',
      'Failed password for invalid user admin from {ip} port {port} ssh2',
      'pam_unix(sshd:session): session opened for user {user}(uid=1001) by (uid=0)',
      'Disconnected from authenticating user root {ip} port {port} [preauth]',
    ],
  },
  {
    app: 'sudo',
    facility: 10,
    messages: ['{user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx'],
  },
  {
    app: 'CRON',
    facility: 9,
    messages: ['({user}) CMD (/usr/local/bin/backup.sh --quiet)', 'pam_unix(cron:session): session closed for user root'],
  },
  {
    app: 'kernel',
    facility: 0,
    messages: [
      '[UFW BLOCK] IN=eth0 OUT= SRC={ip} DST=10.0.1.15 PROTO=TCP SPT={port} DPT=22',
      'EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Quota mode: none.',
      'Out of memory: Killed process {pid} (java) total-vm:8123456kB, anon-rss:4012345kB',
    ],
  },
  {
    app: 'systemd',
    facility: 3,
    messages: ['Started Session {n} of User {user}.', 'nginx.service: Main process exited, code=exited, status=1/FAILURE'],
  },
  {
    app: 'postfix/smtp',
    facility: 2,
    messages: ['{HEX}: to=<{user}@example.com>, relay=mx.example.com[{ip}]:25, delay=0.42, status=sent (250 2.0.0 OK)'],
  },
  {
    app: 'app',
    facility: 16,
    messages: [
      'order {n} placed by {user} total=42.50 currency=EUR',
      'cache miss for key "user:{n}" — refreshing',
      'payment gateway timeout after 3000 ms; retrying (attempt 2/3)',
    ],
  },
];
const RFC5424_APPS = ['checkout', 'payments', 'inventory', 'auth-service', 'evntslog', 'billing-worker'];
const RFC5424_MSGIDS = ['-', '-', 'ID47', 'AUDIT', 'REQ', 'TCPIN'];
const JSON_SERVICES = ['checkout', 'payments', 'inventory', 'search', 'gateway', 'notifier'];
const JSON_LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'info', 'warning', 'error', 'fatal', 'trace'];
const JSON_MESSAGES = [
  'request completed',
  'order {n} placed by {user}',
  'retrying upstream call after timeout',
  'cache warmed in {n} ms',
  'user {user} logged in from {ip}',
  'payment declined: insufficient funds',
  'slow query: SELECT * FROM orders WHERE id = {n}',
  'message with "quotes", a tab\tand unicode: naïve café ✓',
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ---------------------------------------------------------------------------------------------------------
// Building blocks.

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

function ipv4(random: Random): string {
  const kind = random.int(0, 9);
  if (kind < 3) return `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  if (kind < 4) return `192.168.${random.int(0, 255)}.${random.int(1, 254)}`;
  if (kind < 5) return `172.${random.int(16, 31)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  return `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function clientIp(random: Random): string {
  if (random.chance(0.08)) {
    return `2001:db8:${random.hex(4)}:${random.hex(2)}::${random.hex(3)}`;
  }
  return ipv4(random);
}

function fillTemplate(random: Random, template: string): string {
  return template.replace(/\{(id|n|word|hex|HEX|user|ip|port|pid)\}/g, (_match, key: string) => {
    switch (key) {
      case 'id':
        return String(random.int(1, 99999));
      case 'n':
        return String(random.int(1, 5000));
      case 'word':
        return random.pick(WORDS);
      case 'hex':
        return random.hex(8);
      case 'HEX':
        return random.hex(10).toUpperCase();
      case 'user':
        return random.pick(USERS);
      case 'ip':
        return ipv4(random);
      case 'port':
        return String(random.int(1024, 65535));
      default:
        return String(random.int(100, 65000));
    }
  });
}

/** `10/Oct/2000:13:55:36 -0700` in the given zone. */
function apacheTime(at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad2(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

/** `Oct  1 22:14:15`: RFC 3164 carries no year and no zone; the generator writes UTC. */
function rfc3164Time(at: Date): string {
  const day = at.getUTCDate();
  return (
    `${MONTHS[at.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${pad2(at.getUTCHours())}:${pad2(at.getUTCMinutes())}:${pad2(at.getUTCSeconds())}`
  );
}

/** RFC 3339 in a few of the shapes real senders use: Z or offset, 0, 3 or 6 fraction digits. */
function rfc3339Time(random: Random, at: Date): string {
  const offsetMinutes = random.chance(0.6) ? 0 : random.pick(ZONE_OFFSETS_MINUTES);
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const fractionKind = random.int(0, 2);
  const ms = local.getUTCMilliseconds();
  const fraction = fractionKind === 0 ? '' : fractionKind === 1 ? `.${pad3(ms)}` : `.${pad3(ms)}${pad3(random.int(0, 999))}`;
  let zone = 'Z';
  if (offsetMinutes !== 0 || random.chance(0.2)) {
    const abs = Math.abs(offsetMinutes);
    zone = `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }
  return (
    `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}T` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}${fraction}${zone}`
  );
}

function httpRequest(random: Random): { request: string; status: number; bytes: string } {
  const template = random.pick(HTTP_PATHS);
  // Pages and static files are fetched; only endpoints that take input see POST, PUT, DELETE...
  const method = WRITABLE_PATH.test(template) ? random.weighted(METHODS) : random.chance(0.93) ? 'GET' : 'HEAD';
  const path = fillTemplate(random, template);
  const protocol = random.weighted(PROTOCOLS);
  const status = random.weighted(STATUSES);
  // Bodiless responses are logged as '-' by Apache's %b and as 0 by nginx.
  const bodiless = status === 204 || status === 304 || method === 'HEAD';
  const bytes = bodiless ? (random.chance(0.5) ? '-' : '0') : String(random.int(120, status >= 400 ? 2048 : 250_000));
  return { request: `${method} ${path} ${protocol}`, status, bytes };
}

function commonPrefix(random: Random, at: Date): { prefix: string } {
  const user = random.chance(0.85) ? '-' : random.pick(USERS);
  const { request, status, bytes } = httpRequest(random);
  const time = apacheTime(at, random.pick(ZONE_OFFSETS_MINUTES));
  return { prefix: `${clientIp(random)} - ${user} [${time}] "${request}" ${status} ${bytes}` };
}

// ---------------------------------------------------------------------------------------------------------
// One writer per format.

const LINE_WRITERS: Record<LogFormat, (random: Random, at: Date) => string> = {
  common(random, at) {
    return commonPrefix(random, at).prefix;
  },

  combined(random, at) {
    const { prefix } = commonPrefix(random, at);
    return `${prefix} "${random.pick(REFERRERS)}" "${random.pick(USER_AGENTS)}"`;
  },

  syslog_rfc3164(random, at) {
    const program = random.pick(SYSLOG_PROGRAMS);
    const severity = random.weighted(SEVERITIES);
    const pri = program.facility * 8 + severity;
    const tag = program.app === 'kernel' || random.chance(0.1) ? program.app : `${program.app}[${random.int(100, 65000)}]`;
    const message = fillTemplate(random, random.pick(program.messages));
    return `<${pri}>${rfc3164Time(at)} ${random.pick(HOSTS)} ${tag}: ${message}`;
  },

  syslog_rfc5424(random, at) {
    const facility = random.int(0, FACILITIES.length - 1);
    const severity = random.weighted(SEVERITIES);
    const host = random.chance(0.8) ? `${random.pick(HOSTS)}.${DOMAIN}` : '-';
    const app = random.pick(RFC5424_APPS);
    const procId = random.chance(0.7) ? String(random.int(100, 65000)) : '-';
    const msgId = random.pick(RFC5424_MSGIDS);
    let structuredData = '-';
    if (random.chance(0.6)) {
      structuredData = `[exampleSDID@32473 iut="${random.int(1, 9)}" eventSource="Application" eventID="${random.int(1000, 1999)}"]`;
      if (random.chance(0.4)) {
        structuredData += `[origin ip="${ipv4(random)}" software="${app}" swVersion="2.${random.int(0, 9)}.${random.int(0, 20)}"]`;
      }
      if (random.chance(0.15)) {
        // Escapes RFC 5424 requires inside PARAM-VALUE: \" \\ \]
        structuredData += `[meta@32473 note="said \\"hi\\" [ok\\]" path="C:\\\\temp"]`;
      }
    }
    const message = random.chance(0.9) ? ` ${fillTemplate(random, random.pick(JSON_MESSAGES))}` : '';
    return `<${facility * 8 + severity}>1 ${rfc3339Time(random, at)} ${host} ${app} ${procId} ${msgId} ${structuredData}${message}`;
  },

  json(random, at) {
    const event: Record<string, unknown> = {};
    const timeKind = random.int(0, 5);
    const ms = at.getTime();
    if (timeKind === 0) event.timestamp = at.toISOString();
    else if (timeKind === 1) event.time = rfc3339Time(random, at);
    else if (timeKind === 2) event['@timestamp'] = at.toISOString();
    else if (timeKind === 3)
      event.ts = ms / 1000; // epoch seconds with fraction
    else if (timeKind === 4)
      event.ts = ms; // epoch milliseconds
    else event.timestamp = Math.floor(ms / 1000); // whole epoch seconds
    event[random.chance(0.7) ? 'level' : 'severity'] = random.pick(JSON_LEVELS);
    event[random.chance(0.6) ? 'message' : 'msg'] = fillTemplate(random, random.pick(JSON_MESSAGES));
    const appKey = random.pick(['service', 'app', 'logger']);
    event[appKey] = appKey === 'logger' ? `com.example.${random.pick(JSON_SERVICES)}.Handler` : random.pick(JSON_SERVICES);
    if (random.chance(0.8)) event[random.chance(0.5) ? 'host' : 'hostname'] = random.pick(HOSTS);
    event.trace_id = random.hex(32);
    if (random.chance(0.6)) event.duration_ms = random.int(1, 3000);
    if (random.chance(0.4)) event.http = { method: random.weighted(METHODS), status: random.weighted(STATUSES) };
    if (random.chance(0.3)) event.user_id = random.int(1, 100000);
    if (random.chance(0.2)) event.retry = random.chance(0.5);
    if (random.chance(0.1)) event.tags = ['beta', random.pick(WORDS)];
    if (random.chance(0.05)) event.parent_span = null;
    return JSON.stringify(event);
  },
};
