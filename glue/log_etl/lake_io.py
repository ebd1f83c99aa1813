"""Reading raw lines from the lake and writing curated Parquet and quarantine, on plain Spark.

The Glue entry script, the tests and the local run share these, so what the tests write is what the job
writes. Paths are URIs (s3://bucket/prefix/ in Glue, file:///... or plain paths locally).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .transform import PARTITION_COLUMNS, SOURCE_FILE_COLUMN

# A task writes one file per partition it holds (see transform.curated_rows); cap a file's rows all the same.
MAX_RECORDS_PER_FILE = 5_000_000
# zstd: about 30% smaller than snappy on these rows at the same write time (glue/bench); Spark 3.5 (Glue 5) and
# Athena engine 3 read it. Parquet records the codec per column chunk, so older snappy files stay readable.
CURATED_COMPRESSION = "zstd"


def read_raw_lines(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """One row per line of the given raw objects (GZIP is read by extension), with the object it came from.

    recursiveFileLookup stops Spark from turning `source=`/`dt=` directories into columns: the record's own
    fields are the truth, the path is only kept for tracing a quarantined line back to its object.
    """
    if not paths:
        raise ValueError("read_raw_lines needs at least one path")
    return (
        spark.read.option("recursiveFileLookup", "true")
        .option("lineSep", "\n")
        .text(list(paths))
        .select(F.col("value"), F.input_file_name().alias(SOURCE_FILE_COLUMN))
    )


def write_curated(curated: DataFrame, curated_uri: str) -> None:
    """Appends curated rows as zstd Parquet under dt=/hour=/source= directories (Hive layout)."""
    (
        curated.write.mode("append")
        .partitionBy(*PARTITION_COLUMNS)
        .option("compression", CURATED_COMPRESSION)
        .option("maxRecordsPerFile", MAX_RECORDS_PER_FILE)
        .parquet(curated_uri)
    )


def write_quarantine(quarantined: DataFrame, quarantine_uri: str) -> None:
    """Appends quarantined lines as GZIP JSON lines (raw line, source object, reason) for inspection."""
    quarantined.repartition(1).write.mode("append").option("compression", "gzip").json(quarantine_uri)


def partition_path(curated_uri: str, partition: Sequence[str]) -> str:
    """The directory of a (dt, hour, source) partition, as write_curated lays it out."""
    if len(partition) != len(PARTITION_COLUMNS):
        raise ValueError(f"a curated partition is ({', '.join(PARTITION_COLUMNS)}), got {tuple(partition)}")
    return f"{curated_uri.rstrip('/')}/" + "".join(f"{key}={value}/" for key, value in zip(PARTITION_COLUMNS, partition))


def path_exists(spark: SparkSession, uri: str) -> bool:
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - Hadoop's FileSystem API is only reachable through py4j
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return bool(path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(path))  # noqa: SLF001


def existing_event_ids(spark: SparkSession, curated_uri: str, partitions: Iterable[Sequence[str]]) -> Optional[DataFrame]:
    """event_ids already curated in the given (dt, hour, source) partitions, or None when none of them exist yet.

    Reads only those partitions' event_id column, so the cost follows the batch, not the lake's size. That is
    every place an earlier copy of a batch's event can be: a retry or replay redelivers the same stream record,
    so the copy has the same event_id, line and timestamp (ingested_at is the stream's arrival time, not the
    delivery's), hence the same partition, however late it comes.
    """
    paths = [partition_path(curated_uri, partition) for partition in partitions]
    present = [p for p in paths if path_exists(spark, p)]
    if not present:
        return None
    return spark.read.option("basePath", curated_uri).parquet(*present).select("event_id")
