import {
  eventId,
  eventIdPrefix,
  firehoseEventId,
  kafkaEventId,
  kinesisEventId,
  murmurHash3x86128,
  murmurHash3x86128Hex,
} from '../../lambda/shared/event-id';

describe('MurmurHash3_x86_128', () => {
  test("passes SMHasher's verification test (0xB3ECE62A, the value smhasher/src/main.cpp lists for Murmur3C)", () => {
    // Hash keys {}, {0}, {0,1}, ... {0..254} with seed 256 - length, concatenate the digests (h1..h4, each
    // little-endian), hash that with seed 0: the first 4 bytes of the result, little-endian, are the value.
    const key = new Uint8Array(256);
    const digests = new Uint8Array(16 * 256);
    const view = new DataView(digests.buffer);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      const digest = murmurHash3x86128(key, i, 256 - i);
      for (let word = 0; word < 4; word++) view.setInt32(i * 16 + word * 4, digest[word], true);
    }
    expect(murmurHash3x86128(digests, digests.length, 0)[0] >>> 0).toBe(0xb3ece62a);
  });

  // From Python's mmh3 (a binding of the reference C++): mmh3.hash_bytes(key.encode(), 0, x64arch=False).hex()
  test.each([
    ['', '00000000000000000000000000000000'],
    ['hello', 'a044242bf7de91dbb631db9ab631db9a'],
    ['The quick brown fox jumps over the lazy dog', 'c383152f672ceeec6cf67b5d2c1de9e5'],
    ['kinesis|shardId-000000000001|4965|0|3', '0c2c679fc0040bd87f0fbfe089b4b5fb'],
    ['naïve café ✓|7', '9e5cfe5c091cd6da34fd642b56ebea2c'],
  ])('hex digest of %j matches the reference implementation', (key, expected) => {
    expect(murmurHash3x86128Hex(key)).toBe(expected);
  });
});

describe('event ids', () => {
  test('Kinesis: MurmurHash3 x86_128 of kinesis|shard|sequence|subsequence|line', () => {
    expect(kinesisEventId('shardId-000000000001', '4965', '0', 3)).toBe('0c2c679fc0040bd87f0fbfe089b4b5fb');
    expect(kinesisEventId('shardId-000000000000', '49656000000000000000000000000000000000000000000000000001', '0', 0)).toBe(
      'd86d77de84df90402865d26aa4b523e0',
    );
  });

  test('Kafka: MurmurHash3 x86_128 of kafka|topic|partition|offset|line', () => {
    expect(kafkaEventId('logs', 2, '1234', 0)).toBe('440731147efd67a44c96b0002e3237b1');
    expect(kafkaEventId('logs', 2, 1234, 0)).toBe(kafkaEventId('logs', 2, '1234', 0));
  });

  test('Direct PUT: MurmurHash3 x86_128 of firehose|recordId|line', () => {
    expect(firehoseEventId('abc', 1)).toBe('04ce17913c35314b5a5bf76c5e39c4e6');
  });

  test('the per-record shortcut (prefix blocks hashed once) equals hashing the whole key, at every prefix length', () => {
    for (let length = 0; length <= 48; length++) {
      for (const base of ['k', 'é', '✓']) {
        const prefix = `${base.repeat(length)}|`;
        for (const lineIndex of [0, 9, 10, 15, 123456, 2 ** 40, Number.MAX_VALUE]) {
          const expected = murmurHash3x86128Hex(`${prefix}${lineIndex}`);
          expect(eventId(prefix, lineIndex)).toBe(expected);
          // One-shot hashing in between must not disturb the prefix kept for the next line.
          murmurHash3x86128Hex(`other key ${lineIndex}`);
          expect(eventId(prefix, lineIndex)).toBe(expected);
        }
      }
    }
    // Alternating prefixes: the cached state must follow the prefix.
    const a = eventIdPrefix({ kind: 'firehose', recordId: 'a'.repeat(40) });
    const b = eventIdPrefix({ kind: 'firehose', recordId: 'b'.repeat(40) });
    expect([eventId(a, 1), eventId(b, 1), eventId(a, 1)]).toEqual([
      murmurHash3x86128Hex(`${a}1`),
      murmurHash3x86128Hex(`${b}1`),
      murmurHash3x86128Hex(`${a}1`),
    ]);
  });

  test('prefix + index is the same as the one-shot helpers; ids differ per line and per coordinate', () => {
    const prefix = eventIdPrefix({ kind: 'kinesis', shardId: 's', sequenceNumber: '1', subsequenceNumber: '' });
    expect(eventId(prefix, 0)).toBe(kinesisEventId('s', '1', '', 0));
    const ids = new Set([eventId(prefix, 0), eventId(prefix, 1), kinesisEventId('s', '2', '', 0), kinesisEventId('t', '1', '', 0)]);
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('no collisions among 200,000 consecutive Kinesis sequence numbers and line indexes', () => {
    const ids = new Set<string>();
    for (let sequence = 0; sequence < 50_000; sequence++) {
      const prefix = eventIdPrefix({
        kind: 'kinesis',
        shardId: 'shardId-000000000000',
        sequenceNumber: `4965${sequence}`,
        subsequenceNumber: '0',
      });
      for (let line = 0; line < 4; line++) ids.add(eventId(prefix, line));
    }
    expect(ids.size).toBe(200_000);
  });
});
