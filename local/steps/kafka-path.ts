/**
 * The Kafka path end to end on real software: a local Apache Kafka broker (KRaft), generated lines into
 * a topic through an idempotent acks=all producer, the event source mapping simulator invoking the real
 * bundled consumer Lambda, which writes into moto's S3 under the same lake prefixes as the Kinesis path and
 * publishes its records to the records topic (RECORDS_TOPIC, plaintext; the realtime step's input); then an
 * account of the lake against the topic: every offset must have landed exactly once (as a raw record, an
 * error line with its bytes, or in an on-failure record in the failed-batches bucket), and the records topic
 * must hold as many records as the lake.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { REALTIME_TOPICS } from '../../contracts/realtime';
import { STAGE_CONFIGS } from '../../lib/config';
import { CONSUMER_GROUP_ID } from '../../lib/constructs/kafka/kafka-config';
import { functionEnvironment } from '../../lib/lambda-bundling';
import { bundleLambda, loadBundledHandler } from '../bundle';
import { lineSource } from '../line-source';
import { createTopic, endOffsets } from '../kafka/admin';
import { startKafkaBroker } from '../kafka/broker';
import { startEventSourceMapping, type BatchItemFailureResponse } from '../kafka/event-source-mapping';
import { accountKafkaLake } from '../kafka/lake-account';
import { s3OnFailureDestination } from '../kafka/on-failure';
import { produceLines } from '../kafka/producer';
import { consoleToolCommands } from '../kafka/console-tools';
import { recordValidator } from '../../lib/record-schema';
import type { LocalStep, StepResult } from './step';
import { displayPath } from '../display-path';

export const CONSUMER_FUNCTION = 'kafka-consumer';

const DEV_KAFKA = STAGE_CONFIGS.dev.kafka;

/**
 * The topic and mapping settings of a local run: the dev stage's (lib/config.ts), as the deployed mapping
 * has them; batch size and window can be overridden with --kafka-batch-size and --kafka-window-ms.
 */
export const LOCAL_KAFKA = {
  topic: DEV_KAFKA.topics[0].name,
  // Dev's partition count: one broker holds them all locally, and each partition is its own batch stream.
  partitions: DEV_KAFKA.topics[0].partitions,
  groupId: CONSUMER_GROUP_ID,
  batchSize: DEV_KAFKA.consumer.batchSize,
  batchingWindowMs: DEV_KAFKA.consumer.maximumBatchingWindowSeconds * 1000,
  maxRetryAttempts: DEV_KAFKA.consumer.retryAttempts,
} as const;

const MiB = 1024 * 1024;

export const kafkaPathStep: LocalStep = {
  name: 'kafka',
  async run(context): Promise<StepResult> {
    const { s3, lakeBucket, options } = context;
    if (!s3 || !lakeBucket) throw new Error('the kafka step needs the moto and kinesis steps before it (lake bucket)');
    const started = Date.now();

    const brokerDir = path.join(context.workDir, 'kafka', 'broker');
    fs.rmSync(brokerDir, { recursive: true, force: true });
    context.log(`starting a Kafka broker (KRaft, one node) in ${displayPath(brokerDir)}; seconds on a busy machine`);
    const broker = await startKafkaBroker({ dir: brokerDir, name: 'local Kafka broker', log: (line) => context.log(line) });
    context.cleanups.push(() => broker.stop());
    context.kafka = broker;
    const startMs = broker.startTimesMs[0];
    const rss = broker.rssBytes();
    context.log(
      `Kafka ${broker.bootstrap} ready in ${(startMs / 1000).toFixed(1)} s (KRaft, RSS ${rss === undefined ? '?' : (rss / MiB).toFixed(0)} MiB, log: ${displayPath(broker.logFile)})`,
    );

    const { topic, partitions, groupId } = LOCAL_KAFKA;
    // The deployed mapping's on-failure destination is a bucket of its own (FailedBatchesBucket), so here too.
    const failedBatchesBucket = `${lakeBucket}-failed-batches`;
    await s3.send(new CreateBucketCommand({ Bucket: failedBatchesBucket }));
    await createTopic(broker.bootstrap, topic, partitions, broker.describe());
    // The records topic the consumer publishes to: its records keep their partition number, so as many partitions.
    await createTopic(broker.bootstrap, REALTIME_TOPICS.records, partitions, broker.describe());
    // The generator's lines carry a burst of 5xx lines in a known minute, for the realtime step (local/realtime/burst.ts) to find.
    const source = lineSource({ ...options, errorBurst: true });
    context.log(`producing ${source.description} (${mib(source.bytes)}) into ${topic} (${partitions} partitions), idempotent, acks=all`);
    let lastPrinted = 0;
    const produced = await produceLines(broker.bootstrap, topic, source.batches(), {
      brokerName: broker.describe(),
      total: source.lines,
      onProgress: (sent, total) => {
        if (Date.now() - lastPrinted > 2000 || sent === total) {
          lastPrinted = Date.now();
          context.log(`  produced ${fmt(sent)}/${fmt(total)}`);
        }
      },
    });
    const linesIn = produced.messages;
    const ends = await endOffsets(broker.bootstrap, topic, broker.describe());
    const inTopic = [...ends.values()].reduce((a, b) => a + b, 0);

    const functionLog = path.join(context.workDir, `${CONSUMER_FUNCTION}.log`);
    fs.rmSync(functionLog, { force: true });
    // The consumer reads these at load; the transform loaded before it set the Powertools names to its own.
    Object.assign(process.env, functionEnvironment(CONSUMER_FUNCTION), {
      LAKE_BUCKET: lakeBucket,
      RECORDS_TOPIC: REALTIME_TOPICS.records,
      KAFKA_BOOTSTRAP_BROKERS: broker.bootstrap,
      KAFKA_SECURITY: 'plaintext',
    });
    context.log(`bundling lambda/${CONSUMER_FUNCTION} with lib/lambda-bundling.ts settings (function logs: ${displayPath(functionLog)})`);
    const handler = loadBundledHandler<MSKEvent, BatchItemFailureResponse>(await bundleLambda(CONSUMER_FUNCTION, context.options.formats), {
      logFile: functionLog,
    });

    context.log(
      `event source mapping: group ${groupId}, batch ≤ ${options.kafkaBatchSize} records / 6 MB, window ${options.kafkaBatchingWindowMs} ms, ${LOCAL_KAFKA.maxRetryAttempts} retries, then s3://${failedBatchesBucket}/`,
    );
    const consumeStarted = Date.now();
    let lastInvocationLine = 0;
    let unshown = 0;
    const mapping = await startEventSourceMapping({
      bootstrap: broker.bootstrap,
      brokerName: broker.describe(),
      topic,
      groupId,
      handler,
      onFailure: s3OnFailureDestination(s3, failedBatchesBucket),
      batchSize: options.kafkaBatchSize,
      batchingWindowMs: options.kafkaBatchingWindowMs,
      maxRetryAttempts: LOCAL_KAFKA.maxRetryAttempts,
      onInvocation: (i) => {
        if (i.outcome === 'ok' && Date.now() - lastInvocationLine < 2000) {
          unshown++;
          return;
        }
        lastInvocationLine = Date.now();
        context.log(
          `  invoke ${i.partitionKey} offsets ${i.firstOffset}-${i.lastOffset} (${i.records} records, ${mib(i.payloadBytes)}, attempt ${i.attempt + 1}): ${i.outcome}` +
            `${i.detail ? ` (${i.detail})` : ''} in ${i.ms} ms${unshown > 0 ? ` [+${unshown} calls not shown]` : ''}`,
        );
        unshown = 0;
      },
    });
    context.cleanups.push(() => mapping.stop());
    await mapping.waitUntilCaughtUp(5 * 60_000);
    const consumeMs = Date.now() - consumeStarted;
    await mapping.stop();

    const account = await accountKafkaLake(
      s3,
      lakeBucket,
      failedBatchesBucket,
      topic,
      ends,
      recordValidator((context.options.formats ?? []).map((f) => f.name)),
    );
    const failures = [...account.problems];
    if (inTopic !== linesIn) {
      failures.push(
        `${fmt(linesIn)} lines produced but the topic holds ${fmt(inTopic)} messages: the producer ${inTopic > linesIn ? 'duplicated' : 'lost'} some`,
      );
    }
    if (account.missing.length > 0) {
      failures.push(
        `${account.missing.length} offsets of ${topic} are nowhere in the lake (partition:offset ${account.missing.slice(0, 10).join(', ')}${account.missing.length > 10 ? ', …' : ''})`,
      );
    }
    const accounted = account.rawRecords - account.duplicateEventIds + account.failedRecords + account.onFailureRecords;
    const recordsEnds = await endOffsets(broker.bootstrap, REALTIME_TOPICS.records, broker.describe());
    const published = [...recordsEnds.values()].reduce((a, b) => a + b, 0);
    if (published < account.rawRecords) {
      failures.push(
        `the consumer published ${fmt(published)} records to ${REALTIME_TOPICS.records} but the lake has ${fmt(account.rawRecords)}: some were not published`,
      );
    }
    const { stats } = mapping;
    context.keepInstructions.push(...consoleToolCommands(broker, topic, groupId));
    return {
      report: [
        `broker              Apache Kafka (KRaft) on ${broker.bootstrap}: ready in ${(startMs / 1000).toFixed(1)} s, RSS ${rss === undefined ? '?' : `${(rss / MiB).toFixed(0)} MiB`}`,
        `lines in            ${fmt(linesIn)} (${mib(source.bytes)}${options.logs ? ` from --logs ${options.logs.spec}` : ''}) → ${topic}: ${fmt(inTopic)} messages in ${partitions} partitions (${produced.sends} sends, ${(produced.ms / 1000).toFixed(1)} s)`,
        `consumer calls      ${fmt(stats.invocations)} (records delivered ${fmt(stats.recordsDelivered)}, retries ${stats.retries}, batch item failures ${stats.partialFailures}, function errors ${stats.functionErrors}, to on-failure ${stats.recordsToOnFailure}; largest payload ${mib(stats.largestPayloadBytes)})`,
        `objects             raw/source=kafka/ ${account.rawObjects} (${mib(account.rawBytes)} gz), errors/kafka-consumer-failed/ ${account.failedObjects}; failed-batches bucket ${account.onFailureObjects}`,
        `records out         ${fmt(account.rawRecords)} (${Object.entries(account.recordsByFormat)
          .sort()
          .map(([f, n]) => `${f} ${fmt(n)}`)
          .join(', ')}), duplicates ${account.duplicateEventIds}`,
        `failed (errors/)    ${fmt(account.failedRecords)} records kept with their bytes (${
          Object.entries(account.failedByReason)
            .map(([r, n]) => `${r} ${n}`)
            .join(', ') || 'none'
        }); kept in the failed-batches bucket ${fmt(account.onFailureRecords)}`,
        `records topic       ${fmt(published)} records published by the consumer to ${REALTIME_TOPICS.records} (${partitions} partitions; the lake has ${fmt(account.rawRecords)})`,
        `accounted for       ${fmt(accounted)} of ${fmt(linesIn)} lines ${account.missing.length === 0 && accounted === linesIn ? '(nothing lost)' : '(MISMATCH)'}`,
        `time                ${((Date.now() - started) / 1000).toFixed(1)} s (produce ${(produced.ms / 1000).toFixed(1)} s, consume ${(consumeMs / 1000).toFixed(1)} s)`,
      ],
      failures,
    };
  },
};

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function mib(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
