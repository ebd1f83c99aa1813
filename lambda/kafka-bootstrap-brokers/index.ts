/**
 * Custom resource: the SASL/IAM bootstrap brokers of an MSK cluster (no CloudFormation attribute gives them),
 * read with GetBootstrapBrokers, sorted, and returned as `BootstrapBrokerStringSaslIam`. Delete does nothing.
 *
 * Environment: POWERTOOLS_SERVICE_NAME (set by the project's function construct).
 */
import * as https from 'node:https';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { clusterArnOf, failureResponse, physicalResourceId, sortedBrokers, successResponse } from './custom-resource';

const logger = new Logger();
const kafka = new KafkaClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 20_000 }) });

/** Thrown when the cluster reports no SASL/IAM brokers (IAM auth off, or the cluster not ACTIVE yet). */
export class NoIamBrokersError extends Error {
  constructor(clusterArn: string) {
    super(`cluster ${clusterArn} reports no SASL/IAM bootstrap brokers: is IAM client authentication enabled and the cluster ACTIVE?`);
    this.name = 'NoIamBrokersError';
  }
}

async function respond(event: CloudFormationCustomResourceEvent, response: CloudFormationCustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const url = new URL(event.ResponseURL);
  await new Promise<void>((resolve, reject) => {
    const request = https.request(
      {
        hostname: url.hostname,
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode !== undefined && res.statusCode < 300 ? resolve() : reject(new Error(`response PUT returned ${res.statusCode}`)),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('response PUT timed out after 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  logger.addContext(context);
  let response: CloudFormationCustomResourceResponse;
  try {
    const clusterArn = clusterArnOf(event);
    if (clusterArn instanceof Error) throw clusterArn;
    if (event.RequestType === 'Delete') {
      response = successResponse(event, event.PhysicalResourceId, {});
    } else {
      const out = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
      const brokers = sortedBrokers(out.BootstrapBrokerStringSaslIam ?? '');
      if (brokers === '') throw new NoIamBrokersError(clusterArn);
      response = successResponse(event, physicalResourceId(clusterArn), { BootstrapBrokerStringSaslIam: brokers });
    }
  } catch (error) {
    logger.error('Reading the bootstrap brokers failed', { error: error as Error, requestType: event.RequestType });
    // A Delete that fails must still let the stack go: nothing was created that needs removing.
    response =
      event.RequestType === 'Delete'
        ? successResponse(event, event.PhysicalResourceId, {})
        : failureResponse(event, error, context.logStreamName);
  }
  logger.info('Answering CloudFormation', { status: response.Status, requestType: event.RequestType });
  await respond(event, response);
}
