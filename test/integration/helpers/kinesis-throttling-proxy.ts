/**
 * An HTTP proxy in front of moto that makes PutRecords partially fail, as real Kinesis does under
 * throttling: moto itself never reports per-entry failures (it accepts or rejects a whole request).
 *
 * For PutRecords calls it withholds some entries from moto and answers for them with
 * ProvisionedThroughputExceededException at their positions (FailedRecordCount adjusted); everything
 * else, and every other API call, passes through to moto unchanged. The entries that are not withheld
 * are really written by moto, so a retrying client ends with each record in the stream exactly once.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const PUT_RECORDS_TARGET = 'Kinesis_20131202.PutRecords';

export interface ThrottlingProxyOptions {
  /** moto's endpoint, e.g. http://127.0.0.1:5000 */
  readonly target: string;
  /** Fail every n-th PutRecords entry the proxy sees (1 fails all of them). */
  readonly failEvery: number;
  /** Stop injecting failures after this many. */
  readonly maxFailures: number;
}

export interface ThrottlingProxy {
  readonly endpoint: string;
  /** Entries answered with a throttling error so far. */
  readonly injectedFailures: number;
  /** PutRecords calls that contained at least one injected failure. */
  readonly partiallyFailedCalls: number;
  close(): Promise<void>;
}

interface PutRecordsBody {
  Records: unknown[];
  [key: string]: unknown;
}

interface PutRecordsResult {
  FailedRecordCount?: number;
  Records: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export async function startThrottlingProxy(options: ThrottlingProxyOptions): Promise<ThrottlingProxy> {
  const target = new URL(options.target);
  let entriesSeen = 0;
  let injectedFailures = 0;
  let partiallyFailedCalls = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        let body = Buffer.concat(chunks);
        const withheld: number[] = [];
        if (request.headers['x-amz-target'] === PUT_RECORDS_TARGET) {
          const parsed = JSON.parse(body.toString('utf8')) as PutRecordsBody;
          parsed.Records.forEach((_, index) => {
            entriesSeen += 1;
            if (entriesSeen % options.failEvery === 0 && injectedFailures < options.maxFailures) {
              withheld.push(index);
              injectedFailures += 1;
            }
          });
          if (withheld.length > 0) {
            partiallyFailedCalls += 1;
            const kept = parsed.Records.filter((_, index) => !withheld.includes(index));
            if (kept.length === 0) {
              respondJson(response, { FailedRecordCount: withheld.length, Records: withheld.map(() => throttled()) });
              return;
            }
            body = Buffer.from(JSON.stringify({ ...parsed, Records: kept }));
          }
        }
        const upstream = await forward(target, request, body);
        if (withheld.length === 0 || upstream.status !== 200) {
          response.writeHead(upstream.status, upstream.headers);
          response.end(upstream.body);
          return;
        }
        const result = JSON.parse(upstream.body.toString('utf8')) as PutRecordsResult;
        const merged: Array<Record<string, unknown>> = [];
        let next = 0;
        const total = result.Records.length + withheld.length;
        for (let index = 0; index < total; index++) {
          merged.push(withheld.includes(index) ? throttled() : result.Records[next++]);
        }
        respondJson(response, { ...result, FailedRecordCount: (result.FailedRecordCount ?? 0) + withheld.length, Records: merged });
      })().catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`throttling proxy: ${String(error)}`);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get injectedFailures() {
      return injectedFailures;
    },
    get partiallyFailedCalls() {
      return partiallyFailedCalls;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function throttled(): Record<string, unknown> {
  return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected by the test proxy)' };
}

function respondJson(response: http.ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': body.length });
  response.end(body);
}

async function forward(
  target: URL,
  request: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const headers = { ...request.headers, host: target.host, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, path: request.url, method: request.method, headers },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => chunks.push(chunk));
        reply.on('end', () => {
          const replyHeaders = { ...reply.headers };
          delete replyHeaders['transfer-encoding'];
          delete replyHeaders['x-amz-crc32']; // the body may be rewritten below
          const replyBody = Buffer.concat(chunks);
          replyHeaders['content-length'] = String(replyBody.length);
          resolve({ status: reply.statusCode ?? 502, headers: replyHeaders, body: replyBody });
        });
        reply.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}
