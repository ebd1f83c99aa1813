/**
 * An HTTP proxy in front of moto that makes S3 PutObject fail for a while, as S3 does under throttling
 * or an outage: while `failing(key)` says so, a PUT is answered 503 SlowDown without reaching moto;
 * everything else passes through unchanged, so what is not refused is really stored by moto.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { passThrough } from './pass-through';

export interface FailingS3ProxyOptions {
  /** moto's endpoint, e.g. http://127.0.0.1:5000 */
  readonly target: string;
  /** Whether a PutObject of this key is refused now (called once per request). */
  readonly failing: (key: string) => boolean;
}

export interface FailingS3Proxy {
  readonly endpoint: string;
  /** PutObject requests refused so far. */
  readonly refused: number;
  /** PutObject requests passed to moto. */
  readonly passed: number;
  close(): Promise<void>;
}

export async function startFailingS3Proxy(options: FailingS3ProxyOptions): Promise<FailingS3Proxy> {
  const target = new URL(options.target);
  let refused = 0;
  let passed = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://proxy');
      const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
      if (request.method === 'PUT') {
        if (options.failing(key)) {
          refused++;
          response.writeHead(503, { 'content-type': 'application/xml' });
          response.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate. (test proxy)</Message></Error>',
          );
          return;
        }
        passed++;
      }
      const body = Buffer.concat(chunks);
      passThrough(target, request, body, response, 'failing S3 proxy');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get refused() {
      return refused;
    },
    get passed() {
      return passed;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
