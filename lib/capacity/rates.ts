/**
 * The project's own measured rates the capacity plan and the cost model multiply, each naming the benchmark
 * or measurement that gives it (docs/benchmarks.md has the runs). Where a figure is an assumption, it says so.
 */
export const MEASURED = {
  /** Average log line, bytes: the benchmark corpus (generator, all five formats). */
  lineBytes: 154,
  /** Raw lake objects (GZIP JSON lines) per byte of log text: 176.5 MB for 3.74 M lines of 154 B (Glue benchmark). */
  rawGzipPerLogByte: 0.31,
  /** Curated zstd Parquet per raw GZIP byte (Glue benchmark: 82–85%). */
  curatedPerRawGzip: 0.85,
  /**
   * Kafka log bytes per byte of log text with the agent's lz4 (`rdkafka.compression.codec: lz4`). Measured
   * 2026-12-06 with lz4-java 1.8.0 (the broker's own jar, .local/kafka/lib), LZ4 frames of 64 KiB blocks over
   * 100,000 generated lines per format (`npx tsx generator/cli.ts --format F --count 100000 --seed 7`), batch by
   * batch: 0.24 (syslog 5424) to 0.36 (json) of the raw bytes in batches of 64 KiB or more, 0.28–0.43 in 16 KiB
   * batches (0.43: all five formats mixed). Kafka's per-record framing is not in it. The plan takes 0.43.
   */
  kafkaLz4PerLogByte: 0.43,
  /**
   * Records-topic bytes per byte of log text, with realtime on: the consumer publishes each line's lake record
   * (364 B for a 155 B line, 2.35×) as JSON, batch compressed with GZIP. Measured 2026-12-06 over 100,000
   * generated lines (seed 7) through the record core: gzip is 0.465 of the log bytes in batches of 100 records,
   * 0.386 at 500, 0.367 at 10,000. The plan takes 0.47.
   */
  recordsGzipPerLogByte: 0.47,
  /**
   * Consumer handler time per line: 730 ms for 10,000 records of 20,000 lines (3.10 MB) at 1c605e9-era code,
   * `npm run bench -- --only consumer` (bench/consumer-bench.ts), 2026-12-06: 36.5 µs a line. On one core of
   * the 2-core bench machine, taken as one vCPU: the plan scales it to the function's share of a vCPU.
   */
  consumerSecondsPerLine: 730.2e-3 / 20_000,
  /**
   * What publishing to the records topic adds per line: the GZIP of the records' JSON lines in 900 KiB sends and
   * their split into messages (lambda/kafka-consumer/publish.ts). Measured 2026-12-06 on the consumer bench's
   * batch (buildMskBatch, 20,000 lines), in one process, median of 15 rounds: 104–108 ms, beside 221–226 ms for
   * planBatch itself. kafkajs's record-batch encoding is not in it.
   */
  consumerPublishSecondsPerLine: 106e-3 / 20_000,
  /**
   * Per invocation on top of the handler's own time: Lambda's invoke and the one S3 PUT's round trip. An
   * assumption (the benchmark's S3 is local).
   */
  consumerInvocationOverheadSeconds: 0.08,
  /** Transform time per MiB batch at 1024 MB (transform benchmark: 55–58 ms). */
  transformSecondsPerMiB: 0.06,
  /** Glue rows per second per DPU (Glue benchmark: 48,600 rows/s on 2 cores; a DPU is 4 vCPU). */
  glueRowsPerSecondPerDpu: 97_000,
  /** Spark start-up and catalog work billed per Glue run, minutes (Glue bills at least 1 minute). */
  glueRunOverheadMinutes: 1.5,
} as const;
