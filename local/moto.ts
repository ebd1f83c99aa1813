/**
 * moto's AWS emulator as a child process: started on a free loopback port, awaited until it answers,
 * stopped on stop(), on process exit and on SIGINT/SIGTERM, so no server outlives the run.
 * Used by `npm run local` and the integration tests.
 *
 * Every SDK call to it has a deadline (retries included): a frozen emulator (stopped, not dead) makes the
 * call fail with an EmulatorError naming the service, the operation and the server's state, instead of
 * hanging the run; a dead one is reported as dead, with its last output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { PROJECT_ROOT } from '../lib/project-paths';
import { killWithParent, sleep, stopChild, tail } from './child-process';
import { startOnFreePorts } from './server-ports';

/** moto's fixed account; ARNs it returns use it. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'us-east-1';
/** moto accepts any credentials; fixed ones keep the SDK from searching the machine for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const MOTO_SERVER_BIN = path.join(PROJECT_ROOT, '.venv', 'bin', 'moto_server');
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
/** Deadline of one SDK call to the emulator, retries included. A 5 MiB PutRecords takes ~1 s on 2 busy cores. */
export const DEFAULT_EMULATOR_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** Thrown when moto cannot be started; the message says what to do. */
export class MotoStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoStartError';
  }
}

/** A call to the emulator failed because the emulator stopped answering or died; the message says which. */
export class EmulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorError';
  }
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** 'running', 'stopped (frozen…)', or how it exited; read from the process, for error messages. */
  state(): string;
  /** The last lines moto wrote. */
  output(): string;
  /** Environment that points the AWS SDK (and a handler loaded in this process) at this server. */
  readonly sdkEnvironment: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Where moto's output goes. @default .local/moto.log */
  readonly logFile?: string;
}

/** Starts moto_server from .venv; fails with the setup command when .venv is missing. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  if (!fs.existsSync(MOTO_SERVER_BIN)) {
    throw new MotoStartError(
      `moto is not installed (${path.relative(PROJECT_ROOT, MOTO_SERVER_BIN)} is missing). Run: bash scripts/python-env.sh`,
    );
  }
  const logFile = options.logFile ?? path.join(PROJECT_ROOT, '.local', 'moto.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const { port, child, release, exit } = await startOnFreePorts(1, async ([port]) => {
    const logFd = fs.openSync(logFile, 'w');
    const child = spawn(MOTO_SERVER_BIN, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    fs.closeSync(logFd);
    const release = killWithParent(child);
    const exit: { reason?: string } = {};
    child.once('exit', (code, signal) => {
      exit.reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    try {
      await waitUntilAnswering(child, `http://127.0.0.1:${port}`, logFile);
    } catch (error) {
      release();
      await stopChild(child, STOP_TIMEOUT_MS);
      throw error;
    }
    return { port, child, release, exit };
  });
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    port,
    pid: child.pid!,
    state: () => (exit.reason ? `dead (${exit.reason})` : processState(child.pid!)),
    output: () => tail(logFile, 5),
    sdkEnvironment: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_KINESIS: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
    stop: async () => {
      release();
      await stopChild(child, STOP_TIMEOUT_MS);
    },
  };
}

export interface EmulatorClientOptions {
  /** Deadline of one call, retries included. @default DEFAULT_EMULATOR_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** The server behind the endpoint, so a failed call can say whether it is frozen or dead. @default none */
  readonly server?: MotoServer;
}

/** SDK v3 clients for moto. NodeHttpHandler: the default HTTP/2-capable handler fails against emulators. */
export function localKinesisClient(endpoint: string, options: EmulatorClientOptions = {}): KinesisClient {
  const client = new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: emulatorRequestHandler(options),
    maxAttempts: 3,
  });
  guardEmulatorCalls(client, 'Kinesis', endpoint, options);
  return client;
}

export function localS3Client(endpoint: string, options: EmulatorClientOptions = {}): S3Client {
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: emulatorRequestHandler(options),
    // moto serves buckets by path; virtual-host style would need DNS for <bucket>.127.0.0.1.
    forcePathStyle: true,
    maxAttempts: 3,
  });
  guardEmulatorCalls(client, 'S3', endpoint, options);
  return client;
}

/** Socket-level timeouts, so a stopped server's silent socket is closed rather than waited on forever. */
function emulatorRequestHandler(options: EmulatorClientOptions): NodeHttpHandler {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EMULATOR_TIMEOUT_MS;
  return new NodeHttpHandler({ connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, timeoutMs), requestTimeout: timeoutMs });
}

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * One deadline over the whole call (the initialize step wraps retries), and failures caused by the emulator
 * turned into an EmulatorError that names the part that stopped answering. AWS errors pass through as they are.
 */
function guardEmulatorCalls(client: KinesisClient | S3Client, service: string, endpoint: string, options: EmulatorClientOptions): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EMULATOR_TIMEOUT_MS;
  // Both clients take an initialize-step middleware; their stacks' types differ only in the command unions.
  const stack = client.middlewareStack as unknown as MiddlewareClient['middlewareStack'];
  stack.add(
    (next, context) => async (args) => {
      const call = `${service} ${context.commandName?.replace(/Command$/, '') ?? 'call'}`;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceeded()), timeoutMs);
      });
      try {
        return await Promise.race([next(args), deadline]);
      } catch (error) {
        throw explainEmulatorFailure(error, { call, endpoint, timeoutMs, server: options.server });
      } finally {
        clearTimeout(timer);
      }
    },
    { step: 'initialize', name: 'emulatorDeadline' },
  );
}

class DeadlineExceeded extends Error {}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH']);

/** The EmulatorError for a failure that the emulator caused; any other error unchanged. */
export function explainEmulatorFailure(
  error: unknown,
  where: { readonly call: string; readonly endpoint: string; readonly timeoutMs: number; readonly server?: MotoServer },
): unknown {
  if (error instanceof EmulatorError) return error;
  const e = error as { name?: string; code?: string; message?: string };
  const timedOut =
    error instanceof DeadlineExceeded || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || /timed? ?out/i.test(e.message ?? '');
  const refused = CONNECTION_ERRORS.has(e.code ?? '') || CONNECTION_ERRORS.has(e.name ?? '');
  if (!timedOut && !refused) return error;
  const { server, call, endpoint } = where;
  const who = server ? `moto_server (pid ${server.pid}, ${endpoint})` : `the emulator at ${endpoint}`;
  const state = server?.state();
  if (state?.startsWith('dead')) {
    return new EmulatorError(`${who} is ${state}: ${call} could not be served. Its last output:\n${server!.output()}`);
  }
  if (timedOut) {
    return new EmulatorError(
      `${who} did not answer ${call} within ${where.timeoutMs / 1000} s: it is ${state === undefined || state === 'running' ? 'running but hung or overloaded' : state}. ` +
        'A stopped process (SIGSTOP, Ctrl-Z) answers nothing; resume it with kill -CONT, or rerun with a longer --emulator-timeout if the machine is just slow.',
    );
  }
  return new EmulatorError(`${who} refused ${call} (${e.code ?? e.name}): it is ${state ?? 'not running'}.`);
}

/** Linux process state from /proc: 'stopped' is a frozen process, the case that used to hang the run. */
function processState(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const code = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (code === 'T' || code === 't') return 'stopped (frozen by SIGSTOP or a debugger, not dead)';
    if (code === 'Z') return 'dead (a zombie, exited)';
    return 'running';
  } catch {
    return 'running';
  }
}

async function waitUntilAnswering(child: ChildProcess, endpoint: string, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MotoStartError(
        `moto_server exited during start-up (${child.exitCode ?? child.signalCode}). Its output:\n${tail(logFile)}\n` +
          'If packages are broken, rerun: bash scripts/python-env.sh --force',
      );
    }
    if (await answers(`${endpoint}/moto-api/`)) return;
    await sleep(100);
  }
  throw new MotoStartError(`moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000}s. Its output:\n${tail(logFile)}`);
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
