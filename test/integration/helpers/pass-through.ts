/** The pass-through half of the test proxies in front of moto: a request, already read, sent on unchanged. */
import * as http from 'node:http';

/** Sends `request` (its body already read) to `target` and pipes the reply back; an upstream error is a 502 naming `proxyName`. */
export function passThrough(
  target: URL,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
  proxyName: string,
): void {
  const upstream = http.request(
    {
      hostname: target.hostname,
      port: target.port,
      path: request.url,
      method: request.method,
      headers: { ...request.headers, host: target.host },
    },
    (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`${proxyName}: ${String(error)}`);
  });
  upstream.end(body);
}
