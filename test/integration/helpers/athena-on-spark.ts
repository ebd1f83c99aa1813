/**
 * Athena for the verify test: moto serves the Athena API (query ids, states, result pages) but runs no SQL,
 * so a proxy in front of it hands each StartQueryExecution's SQL, as the code sent it, to local Spark over the
 * local curated Parquet (glue/local/athena_local.py), queues the rows Spark returned in moto (its moto-api
 * /moto-api/static/athena/query-results, shaped as Athena's result set: a header row, then VarCharValues), and
 * only then forwards the request. What the SDK reads back is the real engine's answer to the real query.
 * Everything else passes through to moto unchanged. A query Spark cannot run is answered 400
 * InvalidRequestException with Spark's message, as Athena rejects a query it cannot parse.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_REGION, MOTO_ACCOUNT_ID } from '../../../local/moto';
import type { SparkAnswer, SparkAthena } from '../../../local/spark-sql';
import { passThrough } from './pass-through';

export { startSparkAthena, type SparkAnswer, type SparkAthena } from '../../../local/spark-sql';

export interface AthenaProxy {
  readonly endpoint: string;
  /** Every SQL text run on Spark, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

export async function startAthenaProxy(options: { target: string; engine: SparkAthena }): Promise<AthenaProxy> {
  const target = new URL(options.target);
  const queries: string[] = [];
  const forward = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) =>
    passThrough(target, request, body, response, 'athena proxy');
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (request.headers['x-amz-target'] !== 'AmazonAthena.StartQueryExecution') {
        forward(request, body, response);
        return;
      }
      const { QueryString: sql } = JSON.parse(body.toString('utf8')) as { QueryString: string };
      queries.push(sql);
      options.engine
        .query(sql)
        .then(async (answer) => {
          await queueResult(options.target, answer);
          forward(request, body, response);
        })
        .catch((error: unknown) => {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(
            JSON.stringify({
              __type: 'InvalidRequestException',
              Message: `local Spark could not run the query: ${(error as Error).message}`,
            }),
          );
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    queries,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Queues Spark's answer as the next query's result in moto, shaped as Athena returns a SELECT's first page. */
async function queueResult(motoEndpoint: string, answer: SparkAnswer): Promise<void> {
  const cell = (value: string | null) => (value === null ? {} : { VarCharValue: value });
  const results = {
    account_id: MOTO_ACCOUNT_ID,
    region: LOCAL_REGION,
    results: [
      {
        rows: [{ Data: answer.columns.map(cell) }, ...answer.rows.map((row) => ({ Data: row.map(cell) }))],
        column_info: answer.columns.map((name) => ({ Name: name, Label: name, Type: 'varchar', CatalogName: 'hive', Nullable: 'UNKNOWN' })),
      },
    ],
  };
  const reply = await fetch(`${motoEndpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(results) });
  if (!reply.ok) throw new Error(`moto-api refused the query results: ${reply.status} ${await reply.text()}`);
}
