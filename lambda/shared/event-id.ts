/**
 * Stable event ids: MurmurHash3 x86_128 (seed 0) of where the event sits in its delivery, so the same
 * event delivered twice (at-least-once Kinesis/Firehose/Kafka) gets the same id and the Glue job can drop
 * the duplicate. The hashed key is the UTF-8 of
 *
 *   kinesis|<shardId>|<sequenceNumber>|<subsequenceNumber>|<lineIndex>
 *   kafka|<topic>|<partition>|<offset>|<lineIndex>
 *   firehose|<recordId>|<lineIndex>        Direct PUT: no Kinesis metadata, Firehose's recordId is all we have
 *
 * `lineIndex` counts the record's non-empty lines (CloudWatch Logs: its log events) from 0. The id is the
 * 16-byte digest as the reference implementation writes it (h1..h4, each little-endian) in lowercase hex:
 * the same as Python's `mmh3.hash_bytes(key, 0, x64arch=False).hex()`.
 *
 * Why not SHA-256: the ids only deduplicate, they guard nothing against an adversary (whoever can write
 * to the stream can write any line anyway). A 128-bit non-cryptographic hash makes an accidental
 * collision as unlikely for that purpose (about 2^-64 at billions of events), and this one, in plain
 * JavaScript, costs a fraction of a node:crypto call per line (the native call overhead alone was the
 * transform's largest single cost).
 */

export type DeliveryCoordinates =
  | {
      readonly kind: 'kinesis';
      readonly shardId: string;
      readonly sequenceNumber: string;
      /** Empty for records that were not KPL-aggregated. */
      readonly subsequenceNumber: string;
    }
  | { readonly kind: 'kafka'; readonly topic: string; readonly partition: number; readonly offset: number | string }
  | { readonly kind: 'firehose'; readonly recordId: string };

/** The coordinates part of the hashed key, computed once per record; `eventId` appends the line index. */
export function eventIdPrefix(coordinates: DeliveryCoordinates): string {
  switch (coordinates.kind) {
    case 'kinesis':
      return `kinesis|${coordinates.shardId}|${coordinates.sequenceNumber}|${coordinates.subsequenceNumber}|`;
    case 'kafka':
      return `kafka|${coordinates.topic}|${coordinates.partition}|${coordinates.offset}|`;
    case 'firehose':
      return `firehose|${coordinates.recordId}|`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// MurmurHash3_x86_128, after Austin Appleby's public-domain reference (smhasher/src/MurmurHash3.cpp).

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * MurmurHash3_x86_128 of `bytes[0..length)` with `seed`; writes h1..h4 (as signed 32-bit integers) into
 * `out` and returns it.
 */
export function murmurHash3x86128(bytes: Uint8Array, length: number, seed: number, out: Int32Array = new Int32Array(4)): Int32Array {
  out[0] = out[1] = out[2] = out[3] = seed | 0;
  const blocksEnd = length & ~15;
  absorbBlocks(out, bytes, 0, blocksEnd);
  return finish(out, bytes, blocksEnd, length, length);
}

/** The body: mixes the 16-byte blocks of `bytes[start..end)` (a multiple of 16 long) into `state` (h1..h4). */
function absorbBlocks(state: Int32Array, bytes: Uint8Array, start: number, end: number): void {
  let h1 = state[0];
  let h2 = state[1];
  let h3 = state[2];
  let h4 = state[3];
  for (let i = start; i < end; i += 16) {
    let k1 = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    let k2 = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    let k3 = bytes[i + 8] | (bytes[i + 9] << 8) | (bytes[i + 10] << 16) | (bytes[i + 11] << 24);
    let k4 = bytes[i + 12] | (bytes[i + 13] << 8) | (bytes[i + 14] << 16) | (bytes[i + 15] << 24);

    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  state[0] = h1;
  state[1] = h2;
  state[2] = h3;
  state[3] = h4;
}

/**
 * Mixes `bytes[start..end)` (any length: whole blocks, then the tail) into `state` and finalizes for a key
 * of `totalLength` bytes; the digest replaces the state, which is returned.
 */
function finish(state: Int32Array, bytes: Uint8Array, start: number, end: number, totalLength: number): Int32Array {
  const blocksEnd = start + ((end - start) & ~15);
  absorbBlocks(state, bytes, start, blocksEnd);
  let h1 = state[0];
  let h2 = state[1];
  let h3 = state[2];
  let h4 = state[3];

  // Tail: the reference's switch fall-through, one lane at a time.
  const i = blocksEnd;
  const tail = end - blocksEnd;
  if (tail > 12) {
    let k4 = bytes[i + 12];
    if (tail > 13) k4 |= bytes[i + 13] << 8;
    if (tail > 14) k4 |= bytes[i + 14] << 16;
    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
  }
  if (tail > 8) {
    let k3 = bytes[i + 8];
    if (tail > 9) k3 |= bytes[i + 9] << 8;
    if (tail > 10) k3 |= bytes[i + 10] << 16;
    if (tail > 11) k3 |= bytes[i + 11] << 24;
    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
  }
  if (tail > 4) {
    let k2 = bytes[i + 4];
    if (tail > 5) k2 |= bytes[i + 5] << 8;
    if (tail > 6) k2 |= bytes[i + 6] << 16;
    if (tail > 7) k2 |= bytes[i + 7] << 24;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
  }
  if (tail > 0) {
    let k1 = bytes[i];
    if (tail > 1) k1 |= bytes[i + 1] << 8;
    if (tail > 2) k1 |= bytes[i + 2] << 16;
    if (tail > 3) k1 |= bytes[i + 3] << 24;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }

  h1 ^= totalLength;
  h2 ^= totalLength;
  h3 ^= totalLength;
  h4 ^= totalLength;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  state[0] = h1;
  state[1] = (h2 + h1) | 0;
  state[2] = (h3 + h1) | 0;
  state[3] = (h4 + h1) | 0;
  return state;
}

// ---------------------------------------------------------------------------------------------------------
// Keys → ids, on the hot path.
//
// Every line of a record shares the key's prefix, so the prefix's whole 16-byte blocks are hashed once per
// record (the state after them is kept) and each line hashes only the rest: the prefix's last < 16 bytes
// and the line index. The result is exactly MurmurHash3_x86_128 of the whole key (tests compare the two).

const HEX_DIGIT_CODES = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/** Char code of the hex digit of bits shift..shift+3 of `word`. */
function hexDigit(word: number, shift: number): number {
  return HEX_DIGIT_CODES[(word >>> shift) & 15];
}

/**
 * The digest's 16 bytes (h1..h4, each little-endian, each byte high nibble first) as 32 hex chars. One
 * String.fromCharCode call builds the id as a single string: a third of the time, and of the garbage, of
 * concatenating 16 two-char pieces.
 */
function hexOf(digest: Int32Array): string {
  const h1 = digest[0];
  const h2 = digest[1];
  const h3 = digest[2];
  const h4 = digest[3];
  return String.fromCharCode(
    hexDigit(h1, 4),
    hexDigit(h1, 0),
    hexDigit(h1, 12),
    hexDigit(h1, 8),
    hexDigit(h1, 20),
    hexDigit(h1, 16),
    hexDigit(h1, 28),
    hexDigit(h1, 24),
    hexDigit(h2, 4),
    hexDigit(h2, 0),
    hexDigit(h2, 12),
    hexDigit(h2, 8),
    hexDigit(h2, 20),
    hexDigit(h2, 16),
    hexDigit(h2, 28),
    hexDigit(h2, 24),
    hexDigit(h3, 4),
    hexDigit(h3, 0),
    hexDigit(h3, 12),
    hexDigit(h3, 8),
    hexDigit(h3, 20),
    hexDigit(h3, 16),
    hexDigit(h3, 28),
    hexDigit(h3, 24),
    hexDigit(h4, 4),
    hexDigit(h4, 0),
    hexDigit(h4, 12),
    hexDigit(h4, 8),
    hexDigit(h4, 20),
    hexDigit(h4, 16),
    hexDigit(h4, 28),
    hexDigit(h4, 24),
  );
}

const utf8 = new TextEncoder();
const digest = new Int32Array(4);
let keyBytes = new Uint8Array(256);

/** The 32 lowercase hex chars of MurmurHash3_x86_128 (seed 0) over the UTF-8 of `key`. */
export function murmurHash3x86128Hex(key: string): string {
  if (key.length * 3 > keyBytes.length) keyBytes = new Uint8Array(key.length * 3);
  const { written } = utf8.encodeInto(key, keyBytes);
  return hexOf(murmurHash3x86128(keyBytes, written, 0, digest));
}

/** The prefix seen last: the state after its whole blocks, and its remaining bytes (start of restBytes). */
let cachedPrefix: string | null = null;
let cachedBlocksLength = 0;
let cachedTailLength = 0;
const cachedState = new Int32Array(4);
let prefixBytes = new Uint8Array(256);
/** The prefix's < 16 bytes after its whole blocks, then the line index: String(number) is ≤ 24 ASCII chars. */
const restBytes = new Uint8Array(64);

/** Event id of line `lineIndex` of the record whose coordinates gave `prefix`. */
export function eventId(prefix: string, lineIndex: number): string {
  if (prefix !== cachedPrefix) cachePrefix(prefix);
  let rest = cachedTailLength;
  // The index's characters are ASCII: one byte each.
  const digits = String(lineIndex);
  for (let i = 0; i < digits.length; i++) restBytes[rest++] = digits.charCodeAt(i);
  digest[0] = cachedState[0];
  digest[1] = cachedState[1];
  digest[2] = cachedState[2];
  digest[3] = cachedState[3];
  return hexOf(finish(digest, restBytes, 0, rest, cachedBlocksLength + rest));
}

function cachePrefix(prefix: string): void {
  if (prefix.length * 3 > prefixBytes.length) prefixBytes = new Uint8Array(prefix.length * 3);
  const length = utf8.encodeInto(prefix, prefixBytes).written;
  cachedPrefix = prefix;
  cachedBlocksLength = length & ~15;
  cachedTailLength = length - cachedBlocksLength;
  cachedState[0] = cachedState[1] = cachedState[2] = cachedState[3] = 0;
  absorbBlocks(cachedState, prefixBytes, 0, cachedBlocksLength);
  for (let i = 0; i < cachedTailLength; i++) restBytes[i] = prefixBytes[cachedBlocksLength + i];
}

export function kinesisEventId(shardId: string, sequenceNumber: string, subsequenceNumber: string, lineIndex: number): string {
  return eventId(eventIdPrefix({ kind: 'kinesis', shardId, sequenceNumber, subsequenceNumber }), lineIndex);
}

export function kafkaEventId(topic: string, partition: number, offset: number | string, lineIndex: number): string {
  return eventId(eventIdPrefix({ kind: 'kafka', topic, partition, offset }), lineIndex);
}

export function firehoseEventId(recordId: string, lineIndex: number): string {
  return eventId(eventIdPrefix({ kind: 'firehose', recordId }), lineIndex);
}
