import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS } from '../../lib/config';
import { CONSUMER_GROUP_ID, MSK_IAM_PORT, defaultKafkaVersion } from '../../lib/constructs/kafka';
import { REALTIME_TOPICS } from '../../contracts/realtime';
import { synthStage } from '../helpers/app';
import { asArray, iamStatements } from '../helpers/iam';

describe.each(['dev', 'prod'] as const)('%s: Kafka stacks', (stage) => {
  const { templates } = synthStage(stage);
  const kafka = templates.kafka;
  const consumer = templates.kafkaConsumer;
  const config = STAGE_CONFIGS[stage].kafka;
  const cluster = () => Object.values(kafka.findResources('AWS::MSK::Cluster'))[0].Properties;

  test('stateful resources keep their logical IDs (renaming one replaces the cluster or deletes a topic)', () => {
    const ids = (type: string) => Object.keys(kafka.findResources(type)).sort();
    expect(ids('AWS::MSK::Cluster')).toEqual(['KafkaCluster21A1BE89']);
    expect(ids('AWS::MSK::Configuration')).toEqual(['KafkaConfiguration2E1CE142']);
    // By position in kafka.topics: prod's records and output topics (realtime on) follow the log topic.
    expect(ids('AWS::MSK::Topic')).toEqual(
      stage === 'prod' ? ['KafkaLogTopic0A3F2D5B', 'KafkaTopic137E7FDFD', 'KafkaTopic28E2051EB'] : ['KafkaLogTopic0A3F2D5B'],
    );
    expect(ids('AWS::S3::Bucket')).toEqual(['FailedBatchesBucketE069F873']);
  });

  test('provisioned MSK in KRaft mode, brokers, type and storage from the stage config', () => {
    const props = cluster();
    expect(props.KafkaVersion).toBe(defaultKafkaVersion(config.brokerInstanceType));
    expect(props.KafkaVersion).toMatch(/\.kraft$/);
    expect(props.NumberOfBrokerNodes).toBe(config.brokerCount);
    expect(props.BrokerNodeGroupInfo.InstanceType).toBe(config.brokerInstanceType);
    expect(props.BrokerNodeGroupInfo.StorageInfo).toEqual({ EBSStorageInfo: { VolumeSize: config.ebsVolumeGiB } });
    expect(props.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(STAGE_CONFIGS[stage].network.availabilityZones);
    expect(JSON.stringify(props.BrokerNodeGroupInfo.ClientSubnets)).toContain('privateSubnet');
    expect(props.BrokerNodeGroupInfo.ConnectivityInfo).toEqual({ PublicAccess: { Type: 'DISABLED' } });
  });

  test('clients authenticate with IAM only: no unauthenticated access, no SCRAM; TLS client-broker and in-cluster', () => {
    const props = cluster();
    expect(props.ClientAuthentication).toEqual({
      Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } },
      Unauthenticated: { Enabled: false },
    });
    expect(props.EncryptionInfo.EncryptionInTransit).toEqual({ ClientBroker: 'TLS', InCluster: true });
    expect(JSON.stringify(props.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId)).toContain('DataKey');
  });

  test('broker logs go to an encrypted log group with the stage retention', () => {
    const logs = cluster().LoggingInfo.BrokerLogs.CloudWatchLogs;
    expect(logs.Enabled).toBe(true);
    kafka.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: STAGE_CONFIGS[stage].logRetentionDays,
    });
  });

  test('the configuration turns topic auto-creation off and sets the replication settings', () => {
    const configuration = Object.values(kafka.findResources('AWS::MSK::Configuration'))[0].Properties;
    const properties = String(configuration.ServerProperties).split('\n');
    expect(properties).toEqual(
      expect.arrayContaining([
        'auto.create.topics.enable=false',
        `default.replication.factor=${config.replicationFactor}`,
        `min.insync.replicas=${config.minInsyncReplicas}`,
        'unclean.leader.election.enable=false',
      ]),
    );
    expect(JSON.stringify(cluster().ConfigurationInfo)).toContain('KafkaConfiguration');
  });

  test('topics come from the config: name, partitions, replication factor, retention', () => {
    const topics = Object.values(kafka.findResources('AWS::MSK::Topic')).map((t) => t.Properties);
    expect(topics).toHaveLength(config.topics.length);
    config.topics.forEach((topic, i) => {
      expect(topics[i]).toMatchObject({
        TopicName: topic.name,
        PartitionCount: topic.partitions,
        ReplicationFactor: config.replicationFactor,
      });
      const configs = JSON.parse(Buffer.from(topics[i].Configs as string, 'base64').toString('utf8')) as Record<string, string>;
      expect(configs).toEqual({
        'retention.ms': String(topic.retentionHours * 3_600_000),
        'min.insync.replicas': String(config.minInsyncReplicas),
      });
    });
    if (stage === 'prod') {
      expect(config).toMatchObject({ brokerCount: 3, replicationFactor: 3, minInsyncReplicas: 2 });
      expect(STAGE_CONFIGS.prod.network.availabilityZones).toBe(3);
    } else {
      expect(config).toMatchObject({ brokerCount: 2, brokerInstanceType: 'kafka.t3.small' });
    }
  });

  test('the brokers admit 9098 only, from themselves (the event source mapping) and the log host', () => {
    const groups = Object.values(kafka.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    const ingress = [
      ...(groups[0].Properties.SecurityGroupIngress ?? []),
      ...Object.values(kafka.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
      ...Object.values(templates.host.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
    ];
    expect(Object.keys(templates.host.findResources('AWS::EC2::SecurityGroupIngress'))).toHaveLength(1);
    expect(ingress.length).toBeGreaterThanOrEqual(2);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: MSK_IAM_PORT, ToPort: MSK_IAM_PORT });
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toBeDefined();
    }
  });

  test('bootstrap brokers are read by the project function (no provider framework) and exported', () => {
    kafka.hasResourceProperties('Custom::MskBootstrapBrokers', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaBootstrapBrokersReaderFunction'), 'Arn'] },
    });
    kafka.hasOutput('KafkaBootstrapBrokers', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaBootstrapBrokers'), 'BootstrapBrokerStringSaslIam'] },
    });
    const readerStatements = iamStatements(kafka).filter((s) => asArray(s.Action).includes('kafka:GetBootstrapBrokers'));
    expect(readerStatements).toHaveLength(1);
    expect(JSON.stringify(readerStatements[0].Resource)).toContain('KafkaCluster');
  });

  test('the mapping: provisioned pollers, partial batch responses, bisection, bounded retries, TRIM_HORIZON, an S3 on-failure bucket', () => {
    consumer.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: [config.topics[0].name],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: config.consumer.batchSize,
      MaximumBatchingWindowInSeconds: config.consumer.maximumBatchingWindowSeconds,
      ProvisionedPollerConfig: { MinimumPollers: config.consumer.minimumPollers, MaximumPollers: config.consumer.maximumPollers },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: config.consumer.retryAttempts,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: CONSUMER_GROUP_ID },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    const mapping = Object.values(consumer.findResources('AWS::Lambda::EventSourceMapping'))[0].Properties;
    expect(JSON.stringify(mapping.DestinationConfig)).toContain('FailedBatchesBucket');
    expect(JSON.stringify(mapping.EventSourceArn)).toContain('KafkaCluster');
  });

  test("no AWS managed policy on any role of either stack but aws-cdk-lib's own bucket-emptying provider (dev)", () => {
    for (const template of [kafka, consumer]) {
      for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
        if (id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderRole')) continue;
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  test('kafka-cluster actions are scoped to this cluster, the log topic, the consumer group and (realtime on) the records topic', () => {
    const statements = iamStatements(consumer).filter((s) => asArray(s.Action).some((a) => a.startsWith('kafka-cluster:')));
    const byResource = new Map<string, string[]>();
    for (const statement of statements) {
      for (const resource of asArray(statement.Resource as unknown)) byResource.set(JSON.stringify(resource), asArray(statement.Action));
    }
    const resources = [...byResource.keys()];
    // The topic and the group by cluster name and name (no cross-stack import a topic replacement would change).
    expect(resources.some((r) => r.includes(':topic/') && r.endsWith(`/*/${config.topics[0].name}"]]}`))).toBe(true);
    expect(resources.some((r) => r.includes(`:group/`) && r.includes(`/${CONSUMER_GROUP_ID}`))).toBe(true);
    for (const [resource, actions] of byResource) {
      expect(resource).not.toBe('"*"');
      if (resource.includes(':group/')) expect(actions.sort()).toEqual(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup']);
      // Read the log topic; write the records topic, which only a stage with the stream analytics publishes to.
      const records = resource.endsWith(`/*/${REALTIME_TOPICS.records}"]]}`);
      expect(records && !STAGE_CONFIGS[stage].realtime.enabled).toBe(false);
      if (resource.includes(':topic/'))
        expect(actions.sort()).toEqual(['kafka-cluster:DescribeTopic', records ? 'kafka-cluster:WriteData' : 'kafka-cluster:ReadData']);
    }
  });

  test('the consumer writes only its two lake prefixes and the failed-batches bucket, reads and deletes nothing', () => {
    const s3 = iamStatements(consumer).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    const actions = new Set(s3.flatMap((s) => asArray(s.Action)));
    expect([...actions].sort()).toEqual(['s3:ListBucket', 's3:PutObject']);
    const lakeWrites = s3
      .flatMap((s) => asArray(s.Resource as unknown))
      .map((r) => JSON.stringify(r))
      .filter((r) => r.includes('LakeBucket'));
    expect(lakeWrites).toHaveLength(2);
    expect(lakeWrites.some((r) => r.includes('/raw/source=kafka/*'))).toBe(true);
    expect(lakeWrites.some((r) => r.includes('/errors/kafka-consumer-failed/*'))).toBe(true);
  });

  test('the log host may connect and write (idempotently) to the log topic only', () => {
    const statements = iamStatements(templates.host).filter((s) => asArray(s.Action).some((a) => a.startsWith('kafka-cluster:')));
    const actions = statements.flatMap((s) => asArray(s.Action)).sort();
    expect(actions).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
      'kafka-cluster:WriteDataIdempotently',
    ]);
    for (const statement of statements) {
      const resources = JSON.stringify(statement.Resource);
      if (asArray(statement.Action).includes('kafka-cluster:WriteData'))
        expect(resources).toMatch(new RegExp(`:topic/[^/"]+/\\*/${config.topics[0].name}"`));
      expect(resources).not.toBe('"*"');
    }
  });

  test('the consumer function reads its lake bucket from the environment', () => {
    consumer.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'kafka-consumer', LAKE_BUCKET: Match.anyValue() }) },
    });
  });
});
