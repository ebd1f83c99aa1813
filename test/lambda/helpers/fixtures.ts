/**
 * The shared record fixtures under schema/fixtures/ (also read by the Glue job's Python tests):
 *   valid-records.input.jsonl  known input lines with their Kinesis coordinates and arrival time
 *   valid-records.jsonl        what the transform writes for them, one record per line
 *   invalid-records.jsonl      {"reason", "record"} lines that break the schema in realistic ways
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { transformEvent } from '../../../lambda/firehose-transform/transform';
import { FIXTURES_DIR } from './schema';

export interface FixtureInput {
  readonly description: string;
  readonly line: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subsequenceNumber: string;
  /** ISO 8601. */
  readonly approximateArrivalTimestamp: string;
}

export const VALID_INPUTS_PATH = path.join(FIXTURES_DIR, 'valid-records.input.jsonl');
export const VALID_RECORDS_PATH = path.join(FIXTURES_DIR, 'valid-records.jsonl');
export const INVALID_RECORDS_PATH = path.join(FIXTURES_DIR, 'invalid-records.jsonl');

export function readJsonLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** The transform's output lines for the fixture inputs: one Kinesis record per input line. */
export async function transformFixtureInputs(inputs: readonly FixtureInput[]): Promise<string[]> {
  const event: FirehoseTransformationEvent = {
    invocationId: 'fixtures',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/fixtures',
    sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/fixtures',
    region: 'eu-west-1',
    records: inputs.map((input, i) => ({
      recordId: `fixture-${i}`,
      approximateArrivalTimestamp: Date.parse(input.approximateArrivalTimestamp),
      data: Buffer.from(`${input.line}\n`).toString('base64'),
      kinesisRecordMetadata: {
        shardId: input.shardId,
        partitionKey: 'fixtures',
        approximateArrivalTimestamp: Date.parse(input.approximateArrivalTimestamp),
        sequenceNumber: input.sequenceNumber,
        subsequenceNumber: input.subsequenceNumber,
      },
    })),
  };
  const { response } = await transformEvent(event);
  return response.records.flatMap((record) => {
    if (record.result !== 'Ok') throw new Error(`fixture record ${record.recordId} was ${record.result}`);
    return Buffer.from(record.data!, 'base64')
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0);
  });
}
