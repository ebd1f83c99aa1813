/**
 * A local HTTP endpoint that answers S3 PutObject the way S3 does (200 with an ETag; 503 SlowDown when
 * told to fail), keeping what was put, so handler tests run the real S3 client over a real connection.
 * (The consumer against moto's S3 is covered by the integration tests.)
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutRecord {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
}

export interface S3CaptureServer {
  readonly endpoint: string;
  /** Every accepted PutObject, in arrival order (a key put twice appears twice). */
  readonly puts: PutRecord[];
  /** Attempts answered with 503, by key. */
  readonly rejected: string[];
  /** Keys for which PutObject answers 503 SlowDown. */
  failWhen: (key: string) => boolean;
  close(): Promise<void>;
}

export async function startS3CaptureServer(): Promise<S3CaptureServer> {
  const state: S3CaptureServer = {
    endpoint: '',
    puts: [],
    rejected: [],
    failWhen: () => false,
    close: async () => undefined,
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      if (request.method !== 'PUT') {
        response.writeHead(405).end();
        return;
      }
      if (state.failWhen(key)) {
        state.rejected.push(key);
        response.writeHead(503, { 'content-type': 'application/xml' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
        return;
      }
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
      }
      state.puts.push({ bucket, key, body: Buffer.concat(chunks), metadata });
      response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}
