"""One run of the job over a set of raw objects, on plain Spark: read, validate, drop duplicates (within the
batch and against what earlier runs curated), write curated Parquet and quarantine, count.

The Glue entry script wraps this with the bookmark and the catalog; the tests, the local run and the
benchmark call it directly, so they exercise exactly what the job runs.
"""

from __future__ import annotations

import json

from dataclasses import dataclass, field
from typing import Optional, Sequence

from pyspark import StorageLevel
from pyspark.sql import Observation, SparkSession
from pyspark.sql import functions as F

from . import lake_io
from .record_schema import RecordRules, record_rules
from .transform import PARTITION_COLUMNS, RAW_LINE_COLUMN, REASON_COLUMN, SOURCE_FILE_COLUMN, curated_rows, quarantined_rows, validate, write_tasks

_CACHED_ROW = "_row"


@dataclass(frozen=True)
class BatchResult:
    raw_lines: int
    curated_rows: int
    quarantined_rows: int
    #: Valid lines not curated: repeats within the batch and events an earlier run already curated.
    duplicates_dropped: int
    #: The (dt, hour, source) partitions the batch's valid rows belong to.
    partitions: list[tuple[str, str, str]] = field(default_factory=list)
    #: The most frequent quarantine reasons with their counts, most frequent first.
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "raw_lines": self.raw_lines,
            "curated_rows": self.curated_rows,
            "quarantined_rows": self.quarantined_rows,
            "duplicates_dropped": self.duplicates_dropped,
            "partitions_written": len(self.partitions),
            "top_quarantine_reasons": [{"reason": r, "count": c} for r, c in self.top_reasons],
        }


def run_batch(
    spark: SparkSession,
    raw_paths: Sequence[str],
    curated_uri: str,
    quarantine_uri: str,
    rules: Optional[RecordRules] = None,
) -> BatchResult:
    """Curates the given raw objects into `curated_uri` and keeps invalid lines under `quarantine_uri`."""
    rules = rules or record_rules()
    # The data has millisecond precision: INT64 millis instead of Spark's legacy 12-byte INT96 (Athena engine 3
    # and Spark read both as timestamp), a third smaller per timestamp column.
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")
    # The cache below lives for one run and is read three times: compressing it cost more CPU (about a third of
    # validation's time, measured) than it saved; MEMORY_AND_DISK spills what does not fit.
    spark.conf.set("spark.sql.inMemoryColumnarStorage.compressed", "false")
    # Validation is the expensive step and three outputs read its result (partitions, curated, quarantine): once.
    # A valid row is cached as one struct: Spark's columnar cache stores a struct as its row's bytes (one copy),
    # where each top-level column costs a write into its own column buffer and a read back, per row (measured:
    # a quarter less CPU to fill the cache). Raw lines are kept for invalid rows only (see validate()).
    valid = F.col(REASON_COLUMN) == F.lit("")
    validated = (
        validate(lake_io.read_raw_lines(spark, raw_paths), rules)
        .select(RAW_LINE_COLUMN, SOURCE_FILE_COLUMN, REASON_COLUMN, *PARTITION_COLUMNS, F.when(valid, F.struct(*rules.names, "dt", "hour")).alias(_CACHED_ROW))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        # The pass that fills the cache also counts lines and problems and lists the partitions (one action).
        totals = Observation("validated")
        validated.select(REASON_COLUMN, *PARTITION_COLUMNS).observe(
            totals,
            F.count(F.lit(1)).alias("lines"),
            F.count(F.when(~valid, F.lit(1))).alias("quarantined"),
            # As JSON text: py4j hands observed arrays back as opaque Java objects.
            F.to_json(F.collect_set(F.when(valid, F.struct(*PARTITION_COLUMNS)))).alias("partitions"),
        ).write.format("noop").mode("overwrite").save()
        raw_lines = totals.get["lines"]
        quarantined_count = totals.get["quarantined"]
        partitions = sorted(tuple(entry[c] for c in PARTITION_COLUMNS) for entry in json.loads(totals.get["partitions"]))
        existing = lake_io.existing_event_ids(spark, curated_uri, partitions)
        # Counted while written (an observation), not by a separate pass over the deduplicated rows.
        written = Observation("curated")
        tasks = write_tasks(raw_lines - quarantined_count, spark.sparkContext.defaultParallelism)
        curated = curated_rows(validated.select(REASON_COLUMN, f"{_CACHED_ROW}.*"), rules, existing, tasks).observe(written, F.count(F.lit(1)).alias("rows"))
        curated_count = 0
        if partitions:
            lake_io.write_curated(curated, curated_uri)
            curated_count = written.get["rows"]

        top_reasons: list[tuple[str, int]] = []
        if quarantined_count:
            quarantined = quarantined_rows(validated)
            lake_io.write_quarantine(quarantined, quarantine_uri)
            top = quarantined.groupBy(REASON_COLUMN).count().orderBy(F.desc("count"), REASON_COLUMN).limit(10).collect()
            top_reasons = [(row[REASON_COLUMN], row["count"]) for row in top]
        return BatchResult(
            raw_lines=raw_lines,
            curated_rows=curated_count,
            quarantined_rows=quarantined_count,
            duplicates_dropped=raw_lines - quarantined_count - curated_count,
            partitions=partitions,
            top_reasons=top_reasons,
        )
    finally:
        validated.unpersist()
