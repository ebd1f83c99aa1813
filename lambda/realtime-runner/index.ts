/**
 * The realtime runner's two Lambda entry points for the CDK Provider framework: `onEvent` and `isComplete`
 * (runner.ts holds the logic). The framework answers CloudFormation; a thrown error fails the resource with
 * its message.
 *
 * Environment: POWERTOOLS_SERVICE_NAME (set by the project's function construct).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeApplicationCommand,
  KinesisAnalyticsV2Client,
  ListApplicationSnapshotsCommand,
  StartApplicationCommand,
  StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context } from 'aws-lambda';
import * as runner from './runner';

const logger = new Logger();
const client = new KinesisAnalyticsV2Client({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 20_000 }) });

const msf: runner.Msf = {
  describeApplication: (input) => client.send(new DescribeApplicationCommand(input)),
  listApplicationSnapshots: (input) => client.send(new ListApplicationSnapshotsCommand(input)),
  startApplication: (input) => client.send(new StartApplicationCommand(input)),
  stopApplication: (input) => client.send(new StopApplicationCommand(input)),
};

async function logged<T>(step: string, event: { RequestType?: string }, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    logger.info(`${step} done`, { requestType: event.RequestType, result });
    return result;
  } catch (error) {
    logger.error(`${step} failed`, { requestType: event.RequestType, error: error as Error });
    throw error;
  }
}

export async function onEvent(event: runner.OnEventRequest, context: Context): Promise<runner.OnEventResponse> {
  logger.addContext(context);
  return logged('onEvent', event, () => runner.onEvent(msf, event, Date.now()));
}

export async function isComplete(event: runner.IsCompleteRequest, context: Context): Promise<runner.IsCompleteResponse> {
  logger.addContext(context);
  return logged('isComplete', event, () => runner.isComplete(msf, event, Date.now()));
}
