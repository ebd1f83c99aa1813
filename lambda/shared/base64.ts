/** Strict base64: what the event sources (Firehose records, Kafka keys and values) must deliver. */

/** The definition isStrictBase64 implements (tests compare the two). */
export const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/**
 * Whether `data` is canonical padded base64 that decoded to `decodedLength` bytes. Node's decoder skips or
 * stops at characters outside the alphabet, so any such character makes the decoded length fall short of
 * what the text length promises; '-' and '_' (base64url, which Node also accepts) are checked apart.
 * A fraction of the cost of a full-text regex on the hot path; a unit test pins it to that regex.
 */
export function isStrictBase64(data: string, decodedLength: number): boolean {
  const length = data.length;
  if (length % 4 !== 0) return false;
  const padding = length === 0 ? 0 : data.charCodeAt(length - 1) !== 61 ? 0 : data.charCodeAt(length - 2) !== 61 ? 1 : 2;
  return decodedLength === (length / 4) * 3 - padding && data.indexOf('-') === -1 && data.indexOf('_') === -1;
}
