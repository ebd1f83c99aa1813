/**
 * Hard limits of the Firehose ⇄ Lambda contract, shared by the transform handler (which must stay under
 * them at run time) and the stage config (which sizes the processor buffer from them at synth).
 */

/** Firehose caps the transform's response at 6 MB; keep a margin for the JSON envelope. */
export const FIREHOSE_RESPONSE_LIMIT_BYTES = 6_000_000;

/** Base64 turns every 3 bytes into 4. */
export const BASE64_EXPANSION = 4 / 3;

/**
 * Upper bound of (transformed output bytes / raw input bytes) for realistic log lines, measured by
 * `npm run bench` over the generated corpus and pinned by a unit test (test/lambda/expansion.test.ts)
 * so a parser change that fattens the output fails CI before it can overflow Firehose's cap.
 */
export const MAX_OUTPUT_EXPANSION = 3.3;

/** The largest whole-MiB processor buffer whose transformed, base64-encoded response stays under the cap. */
export function maxSafeProcessorBufferMiB(expansion: number = MAX_OUTPUT_EXPANSION): number {
  return Math.floor(FIREHOSE_RESPONSE_LIMIT_BYTES / (1024 * 1024 * BASE64_EXPANSION * expansion));
}
