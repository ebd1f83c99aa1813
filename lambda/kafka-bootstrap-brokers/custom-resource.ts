/**
 * The CloudFormation custom-resource protocol for the bootstrap-brokers reader, without AWS calls: what to
 * answer for an event, and the broker list as it is exported (sorted, so a re-read does not diff).
 *
 * The function is the resource's service token itself (no provider framework), so it must answer
 * CloudFormation by PUTting a response document to the pre-signed ResponseURL, once, on every path; a
 * function that throws without answering leaves the stack waiting for an hour.
 */
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** Physical id of the resource: stable per cluster, so an update of the same cluster is not a replacement. */
export function physicalResourceId(clusterArn: string): string {
  return `bootstrap-brokers:${clusterArn}`;
}

/** "b-2.x:9098,b-1.x:9098" → "b-1.x:9098,b-2.x:9098"; empty entries dropped. */
export function sortedBrokers(brokerString: string): string {
  return brokerString
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0)
    .sort()
    .join(',');
}

/** The ClusterArn property, or an explanation of what is wrong with it. */
export function clusterArnOf(event: CloudFormationCustomResourceEvent): string | Error {
  const arn = (event.ResourceProperties as Record<string, unknown> | undefined)?.ClusterArn;
  if (typeof arn !== 'string' || !/^arn:[\w-]+:kafka:[\w-]+:\d{12}:cluster\/[^/]+\/[^/]+$/.test(arn)) {
    return new Error(`ResourceProperties.ClusterArn must be an MSK cluster ARN (got ${JSON.stringify(arn)})`);
  }
  return arn;
}

export function successResponse(
  event: CloudFormationCustomResourceEvent,
  physicalId: string,
  data: Record<string, string>,
): CloudFormationCustomResourceResponse {
  return {
    Status: 'SUCCESS',
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  };
}

export function failureResponse(
  event: CloudFormationCustomResourceEvent,
  error: unknown,
  logStreamName: string,
): CloudFormationCustomResourceResponse {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const physicalId =
    'PhysicalResourceId' in event && typeof event.PhysicalResourceId === 'string' ? event.PhysicalResourceId : `failed:${event.RequestId}`;
  return {
    Status: 'FAILED',
    // CloudFormation shows Reason in the stack events; it is capped at 4 KB with the rest of the document.
    Reason: `${message.slice(0, 1000)} (log stream ${logStreamName})`,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}
