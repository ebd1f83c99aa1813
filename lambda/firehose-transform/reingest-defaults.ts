/** Re-ingest's default attempts, apart from reingest.ts so index.ts can read it without loading the SDK. */
export const DEFAULT_REINGEST_MAX_ATTEMPTS = 4;
