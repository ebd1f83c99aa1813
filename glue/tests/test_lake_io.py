"""The job's path through a lake on disk, laid out as Firehose writes it: GZIP JSON lines under
raw/source=<source>/dt=<date>/ → curated zstd Parquet under curated/dt=/hour=/source=/ and quarantine."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from log_etl import lake_io
from log_etl.batch import run_batch
from tests.raw_records import make_records, to_line, write_firehose_object


def run_job_steps(spark, rules, lake: Path, raw_files):
    """What log_etl_job.py runs between the bookmark and the catalog, on a local lake."""
    return run_batch(
        spark,
        [str(f) for f in raw_files],
        curated_uri=(lake / "curated").as_uri() + "/",
        quarantine_uri=(lake / "quarantine" / "dt=2026-11-25").as_uri(),
        rules=rules,
    )


@pytest.fixture()
def lake(tmp_path):
    return tmp_path / "lake"


def firehose_batches(lake: Path, records, bad_lines=()):
    """Splits records into objects per source, as two Firehose streams would deliver them."""
    files = []
    arrival = datetime(2026, 11, 25, 0, 5, tzinfo=timezone.utc)
    for source in ("kinesis", "kafka"):
        lines = [to_line(r) for r in records if r["source"] == source]
        for start in range(0, len(lines), 25):
            files.append(write_firehose_object(lake, source, arrival, lines[start : start + 25]))
    if bad_lines:
        files.append(write_firehose_object(lake, "kinesis", arrival, bad_lines))
    return files


def test_raw_objects_are_gzip_json_lines_under_the_firehose_prefix(lake):
    files = firehose_batches(lake, make_records(12))
    for path in files:
        relative = path.relative_to(lake).as_posix()
        assert relative.startswith(("raw/source=kinesis/dt=2026-11-25/", "raw/source=kafka/dt=2026-11-25/"))
        assert path.suffix == ".gz"
        with gzip.open(path, "rt") as handle:
            assert all(json.loads(line)["event_id"] for line in handle)


def test_curated_parquet_is_partitioned_typed_and_zstd(spark, rules, lake):
    records = make_records(240)
    result = run_job_steps(spark, rules, lake, firehose_batches(lake, records))
    assert (result.raw_lines, result.curated_rows, result.quarantined_rows, result.duplicates_dropped) == (240, 240, 0, 0)
    assert result.partitions == [("2026-11-24", "23", "kafka"), ("2026-11-24", "23", "kinesis"), ("2026-11-25", "00", "kafka"), ("2026-11-25", "00", "kinesis")]

    partitions = sorted(p.relative_to(lake / "curated").as_posix() for p in (lake / "curated").glob("dt=*/hour=*/source=*"))
    assert partitions == [
        "dt=2026-11-24/hour=23/source=kafka",
        "dt=2026-11-24/hour=23/source=kinesis",
        "dt=2026-11-25/hour=00/source=kafka",
        "dt=2026-11-25/hour=00/source=kinesis",
    ]
    assert partitions == [lake_io.partition_path("", p).strip("/") for p in result.partitions]
    data_files = list((lake / "curated").glob("dt=*/hour=*/source=*/*.parquet"))
    assert data_files and all(f.name.endswith(".zstd.parquet") for f in data_files)
    # Each write task holds a contiguous range of (dt, hour, source, id hash): each task boundary splits at most one partition.
    tasks = spark.sparkContext.defaultParallelism
    assert len(partitions) <= len(data_files) <= len(partitions) + tasks - 1

    curated = spark.read.option("basePath", str(lake / "curated")).parquet(*[str(lake / "curated" / p) for p in partitions])
    assert curated.count() == len(records)
    types = {f.name: f.dataType for f in curated.schema.fields}
    assert types["timestamp"] == T.TimestampType()
    assert types["status"] == T.IntegerType()
    assert types["bytes"] == T.LongType()
    assert types["attributes"] == T.MapType(T.StringType(), T.StringType())
    # dt, hour and source come back from the directory names, and agree with each row's own timestamp
    rows = curated.select("dt", "hour", "source", F.date_format("timestamp", "yyyy-MM-dd").alias("day"), F.date_format("timestamp", "HH").alias("hh")).collect()
    assert {f"dt={r.dt}/hour={int(r.hour):02d}/source={r.source}" for r in rows} == set(partitions)
    assert all((str(r.dt), int(r.hour)) == (r.day, int(r.hh)) for r in rows)


def test_one_hour_of_one_source_is_deduplicated_and_written_by_every_task(spark, rules, lake):
    """The write's parallelism does not depend on how many partitions the batch holds: one (dt, hour, source)
    spreads over every task, each writing its own file, and copies of an event still meet in one task."""
    records = make_records(400, sources=("kinesis",), step_seconds=1, start=datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc))
    lines = [to_line(r) for r in records]
    files = [write_firehose_object(lake, "kinesis", datetime(2026, 11, 25, 7, 5, tzinfo=timezone.utc), lines)]
    # Every event again in a second object, as a retry delivers it, and a third copy of some.
    files.append(write_firehose_object(lake, "kinesis", datetime(2026, 11, 25, 7, 9, tzinfo=timezone.utc), lines + lines[:50]))
    result = run_job_steps(spark, rules, lake, files)
    assert (result.raw_lines, result.curated_rows, result.duplicates_dropped) == (850, 400, 450)
    assert result.partitions == [("2026-11-25", "07", "kinesis")]
    data_files = list((lake / "curated" / "dt=2026-11-25" / "hour=07" / "source=kinesis").glob("*.parquet"))
    assert len(data_files) == spark.sparkContext.defaultParallelism >= 2
    curated = spark.read.parquet(*[str(f) for f in data_files])
    assert curated.count() == curated.select("event_id").distinct().count() == 400


def test_bad_lines_go_to_quarantine_with_their_object_and_reason(spark, rules, lake):
    bad = ["{\"event_id\": 1}", "garbage"]
    files = firehose_batches(lake, make_records(10), bad)
    result = run_job_steps(spark, rules, lake, files)
    assert (result.raw_lines, result.curated_rows, result.quarantined_rows) == (12, 10, 2)
    reasons = dict(result.top_reasons)
    assert reasons.pop("line is not a JSON object") == 1
    [(other, count)] = reasons.items()
    assert count == 1 and other.startswith("'event_id' must be string (got integer); missing required property 'source'")
    written = [json.loads(line) for f in (lake / "quarantine").rglob("*.json.gz") for line in gzip.open(f, "rt")]
    assert sorted(row["value"] for row in written) == sorted(bad)
    assert all(row["source_file"].endswith(files[-1].name) for row in written)
    assert all(row["reason"] for row in written)
    assert spark.read.parquet(str(lake / "curated")).count() == 10


def test_duplicates_across_objects_and_across_runs_are_curated_once(spark, rules, lake):
    records = make_records(60)
    first = firehose_batches(lake, records[:40])
    assert run_job_steps(spark, rules, lake, first).curated_rows == 40
    # The next run sees redelivered copies of events the first run already curated, plus new ones.
    redelivered = write_firehose_object(lake, "kinesis", datetime(2026, 11, 25, 1, tzinfo=timezone.utc), [to_line(r) for r in records[:40] if r["source"] == "kinesis"])
    second = firehose_batches(lake / "second", records[40:])
    result = run_job_steps(spark, rules, lake, [redelivered, *second])
    redelivered_count = sum(1 for r in records[:40] if r["source"] == "kinesis")
    assert (result.raw_lines, result.curated_rows, result.duplicates_dropped) == (redelivered_count + 20, 20, redelivered_count)

    curated = spark.read.parquet(str(lake / "curated"))
    assert curated.count() == 60
    assert curated.select("event_id").distinct().count() == 60


def test_read_raw_lines_keeps_every_line_and_its_object(spark, lake):
    files = firehose_batches(lake, make_records(30))
    lines = lake_io.read_raw_lines(spark, [str(lake / "raw")])
    assert lines.columns == ["value", "source_file"]
    assert lines.count() == 30
    assert {Path(r.source_file).name for r in lines.select("source_file").distinct().collect()} == {f.name for f in files}


def test_read_raw_lines_without_paths_is_an_error(spark):
    with pytest.raises(ValueError, match="at least one path"):
        lake_io.read_raw_lines(spark, [])


def test_existing_event_ids_is_none_before_the_first_run(spark, lake):
    assert lake_io.existing_event_ids(spark, (lake / "curated").as_uri(), [("2026-11-25", "00", "kinesis")]) is None


def test_a_partition_path_names_every_key_in_the_layout_order():
    assert lake_io.partition_path("s3://lake/curated/", ("2026-11-25", "00", "kafka")) == "s3://lake/curated/dt=2026-11-25/hour=00/source=kafka/"
    with pytest.raises(ValueError, match=r"a curated partition is \(dt, hour, source\)"):
        lake_io.partition_path("s3://lake/curated/", ("2026-11-25", "kafka"))


def test_a_batch_of_only_bad_lines_writes_quarantine_and_no_curated_files(spark, rules, lake):
    files = [write_firehose_object(lake, "kafka", datetime(2026, 11, 25, tzinfo=timezone.utc), ["nope", "{}"])]
    result = run_job_steps(spark, rules, lake, files)
    assert (result.raw_lines, result.curated_rows, result.quarantined_rows, result.partitions) == (2, 0, 2, [])
    assert not (lake / "curated").exists()
    assert len([line for f in (lake / "quarantine").rglob("*.json.gz") for line in gzip.open(f, "rt")]) == 2
