import type { CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceDeleteEvent } from 'aws-lambda';
import {
  clusterArnOf,
  failureResponse,
  physicalResourceId,
  sortedBrokers,
  successResponse,
} from '../../lambda/kafka-bootstrap-brokers/custom-resource';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/log-pipeline/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2';
const create: CloudFormationCustomResourceCreateEvent = {
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:reader',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/LogPipeline-dev-Kafka/guid',
  RequestId: 'req-1',
  LogicalResourceId: 'KafkaBootstrapBrokers',
  ResourceType: 'Custom::MskBootstrapBrokers',
  ResourceProperties: { ServiceToken: 'x', ClusterArn: ARN },
};

describe('bootstrap brokers custom resource', () => {
  test('sorts the broker list so a re-read of the same cluster does not diff', () => {
    expect(sortedBrokers('b-2.c.kafka.eu-west-1.amazonaws.com:9098,b-1.c.kafka.eu-west-1.amazonaws.com:9098')).toBe(
      'b-1.c.kafka.eu-west-1.amazonaws.com:9098,b-2.c.kafka.eu-west-1.amazonaws.com:9098',
    );
    expect(sortedBrokers(' b-3:9098 ,, b-1:9098 ')).toBe('b-1:9098,b-3:9098');
    expect(sortedBrokers('')).toBe('');
  });

  test('takes the cluster ARN from the properties and rejects anything else with a clear message', () => {
    expect(clusterArnOf(create)).toBe(ARN);
    const bad = clusterArnOf({ ...create, ResourceProperties: { ServiceToken: 'x', ClusterArn: 'my-cluster' } });
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toBe('ResourceProperties.ClusterArn must be an MSK cluster ARN (got "my-cluster")');
  });

  test('a success carries the brokers and a physical id stable per cluster', () => {
    expect(successResponse(create, physicalResourceId(ARN), { BootstrapBrokerStringSaslIam: 'b-1:9098' })).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: `bootstrap-brokers:${ARN}`,
      StackId: create.StackId,
      RequestId: 'req-1',
      LogicalResourceId: 'KafkaBootstrapBrokers',
      Data: { BootstrapBrokerStringSaslIam: 'b-1:9098' },
    });
  });

  test('a failure names the error and the log stream, and keeps an existing physical id', () => {
    const del: CloudFormationCustomResourceDeleteEvent = { ...create, RequestType: 'Delete', PhysicalResourceId: 'bootstrap-brokers:old' };
    const failed = failureResponse(del, new TypeError('boom'), '2026/12/01/[$LATEST]abc');
    expect(failed).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'bootstrap-brokers:old',
      Reason: 'TypeError: boom (log stream 2026/12/01/[$LATEST]abc)',
    });
    expect(failureResponse(create, 'x'.repeat(5000), 's').Reason?.length).toBeLessThan(1100);
    expect(failureResponse(create, new Error('e'), 's').PhysicalResourceId).toBe('failed:req-1');
  });
});
