/**
 * moto's AWS emulator as a child process: started on a free loopback port, awaited until it answers,
 * stopped on stop(), on process exit and on SIGINT/SIGTERM, so no server outlives the run.
 * Used by `npm run local` and the integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { PROJECT_ROOT } from '../lib/project-paths';
import { freeLoopbackPort, killWithParent, sleep, stopChild, tail } from './child-process';

/** moto's fixed account; ARNs it returns use it. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'us-east-1';
/** moto accepts any credentials; fixed ones keep the SDK from searching the machine for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const MOTO_SERVER_BIN = path.join(PROJECT_ROOT, '.venv', 'bin', 'moto_server');
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Thrown when moto cannot be started; the message says what to do. */
export class MotoStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoStartError';
  }
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
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
  const logFd = fs.openSync(logFile, 'w');

  const port = await freeLoopbackPort();
  const child = spawn(MOTO_SERVER_BIN, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  fs.closeSync(logFd);
  const release = killWithParent(child);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, endpoint, logFile);
  } catch (error) {
    release();
    await stopChild(child, STOP_TIMEOUT_MS);
    throw error;
  }

  return {
    endpoint,
    port,
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

/** SDK v3 clients for moto. NodeHttpHandler: the default HTTP/2-capable handler fails against emulators. */
export function localKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 3,
  });
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    // moto serves buckets by path; virtual-host style would need DNS for <bucket>.127.0.0.1.
    forcePathStyle: true,
    maxAttempts: 3,
  });
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
