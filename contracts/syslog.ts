/** Syslog's severity and facility names by code (RFC 5424 section 6.2.1), shared by the parsers and the generator. */
/** RFC 5424 severity codes 0-7 by the names rsyslog uses. */
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** RFC 5424 facility codes 0-23 by the names rsyslog uses. */
export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
