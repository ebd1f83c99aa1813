import { createHash } from 'node:crypto';
import { eventId, eventIdPrefix, firehoseEventId, kafkaEventId, kinesisEventId } from '../../lambda/shared/event-id';

const sha32 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

describe('event ids', () => {
  test('Kinesis: SHA-256 of kinesis|shard|sequence|subsequence|line, first 32 hex chars', () => {
    expect(kinesisEventId('shardId-000000000001', '4965', '0', 3)).toBe(sha32('kinesis|shardId-000000000001|4965|0|3'));
  });

  test('Kafka: SHA-256 of kafka|topic|partition|offset|line', () => {
    expect(kafkaEventId('logs', 2, '1234', 0)).toBe(sha32('kafka|logs|2|1234|0'));
    expect(kafkaEventId('logs', 2, 1234, 0)).toBe(kafkaEventId('logs', 2, '1234', 0));
  });

  test('Direct PUT: SHA-256 of firehose|recordId|line', () => {
    expect(firehoseEventId('abc', 1)).toBe(sha32('firehose|abc|1'));
  });

  test('prefix + index is the same as the one-shot helpers; ids differ per line and per coordinate', () => {
    const prefix = eventIdPrefix({ kind: 'kinesis', shardId: 's', sequenceNumber: '1', subsequenceNumber: '' });
    expect(eventId(prefix, 0)).toBe(kinesisEventId('s', '1', '', 0));
    const ids = new Set([eventId(prefix, 0), eventId(prefix, 1), kinesisEventId('s', '2', '', 0), kinesisEventId('t', '1', '', 0)]);
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
