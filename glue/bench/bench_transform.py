"""Benchmark: the Glue job's batch (validate, dedupe, curated Parquet + quarantine) against a floor.

Generates a raw lake of about --mb MB of GZIP JSON lines laid out as Firehose writes it (cached under
--data-dir, so reruns skip generation), then, in the same Spark session:

  floor      read the same JSON with its schema given and write it as Parquet with the curated codec, nothing else
  transform  log_etl.batch.run_batch, exactly what the Glue job runs between bookmark and catalog

and prints the ratio transform/floor (target <= 1.5), rows/s, and the curated Parquet size as a share of
the raw GZIP size. The data has ~1% redelivered duplicates and ~0.1% invalid lines, like a real lake.

    .venv/bin/python glue/bench/bench_transform.py --mb 200
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = GLUE_DIR.parent
sys.path.insert(0, str(GLUE_DIR))

from log_etl.batch import run_batch  # noqa: E402
from log_etl.lake_io import CURATED_COMPRESSION  # noqa: E402
from log_etl.record_schema import record_rules  # noqa: E402
from tests.raw_records import SOURCES, make_records, to_line, write_firehose_object  # noqa: E402

RECORDS_PER_OBJECT = 150_000  # ~70 MB of JSON per object: a Firehose object at a large buffer size
GZIP_BYTES_PER_RECORD = 45  # measured on these records (fields a format lacks left out); sizes the dataset
START = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
SPAN_SECONDS = 2 * 24 * 3600  # the data covers two days: a daily backfill's worth of dt partitions


def _write_object(task: tuple[Path, int, int, int, float]) -> tuple[str, int]:
    lake, index, first_position, count, step = task
    rng = random.Random(index)
    records = make_records(count, seed=index, start=START, step_seconds=step, first_position=first_position)
    lines = [to_line(r) for r in records]
    # ~1% of lines arrive again in a later object (at-least-once), ~0.1% are not valid records.
    extra = [lines[rng.randrange(len(lines))] for _ in range(count // 100)]
    broken = ['{"event_id": "truncated', "\x00garbage", json.dumps({"event_id": "x"})] * max(1, count // 3000)
    source = SOURCES[index % len(SOURCES)]
    path = write_firehose_object(lake, source, START + timedelta(hours=index), lines + broken)
    write_firehose_object(lake, source, START + timedelta(hours=index, minutes=5), extra)
    return str(path), len(lines) + len(extra) + len(broken)


def generate(lake: Path, megabytes: int) -> None:
    """Writes about `megabytes` MB of GZIP raw objects under lake/raw/, two processes at a time."""
    total_records = megabytes * 1_000_000 // GZIP_BYTES_PER_RECORD
    objects = max(2, -(-total_records // RECORDS_PER_OBJECT))
    per_object = total_records // objects
    step = SPAN_SECONDS / (per_object * objects)
    tasks = [(lake, i, i * per_object, per_object, step) for i in range(objects)]
    started = time.monotonic()
    with multiprocessing.Pool(min(len(tasks), os.cpu_count() or 2)) as pool:
        lines = sum(n for _, n in pool.imap_unordered(_write_object, tasks))
    (lake / "READY").write_text(json.dumps({"lines": lines, "objects": objects * 2}))
    print(f"generated {lines:,} lines in {objects * 2} objects in {time.monotonic() - started:.0f}s", flush=True)


def dir_bytes(path: Path, suffix: str) -> int:
    return sum(p.stat().st_size for p in path.rglob(f"*{suffix}") if p.is_file())


def raw_schema_ddl() -> str:
    """The raw records' schema as Spark DDL, for the floor: given, not inferred (one pass over the data)."""
    types = {"string": "string", "int": "int", "bigint": "bigint", "map<string,string>": "map<string,string>"}
    return ", ".join(f"`{rule.name}` {types[rule.raw_type]}" for rule in record_rules().fields)


def main() -> int:
    parser = argparse.ArgumentParser(description="Glue transform vs read-JSON-write-Parquet floor on local Spark")
    parser.add_argument("--mb", type=int, default=200, help="size of the raw GZIP dataset in MB (default 200)")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".local" / "glue-bench", help="where generated raw data is cached")
    parser.add_argument("--driver-memory", default="8g", help="Spark driver memory (local mode runs everything in the driver)")
    parser.add_argument("--shuffle-partitions", type=int, default=16)
    args = parser.parse_args()

    lake = args.data_dir / f"{args.mb}mb"
    if not (lake / "READY").exists():
        shutil.rmtree(lake, ignore_errors=True)
        generate(lake, args.mb)
    raw_files = sorted(str(p) for p in (lake / "raw").rglob("*.gz"))
    raw_bytes = dir_bytes(lake / "raw", ".gz")

    from local_spark import local_spark

    spark = local_spark("log-etl-bench", shuffle_partitions=args.shuffle_partitions, **{"spark.driver.memory": args.driver_memory})
    out = Path(tempfile.mkdtemp(prefix="glue-bench-"))
    try:
        # Warm the JVM (class loading, JIT) on a slice, so neither measured run pays for it.
        spark.read.text(raw_files[:1]).count()

        # The floor as plainly as it can be written (Spark infers the schema: a second pass over the JSON)...
        started = time.monotonic()
        spark.read.json(raw_files).write.option("compression", CURATED_COMPRESSION).parquet(str(out / "floor-inferred"))
        inferred_floor_seconds = time.monotonic() - started
        # ...and the stricter one: the schema given, one pass. The ratio is reported against this one.
        started = time.monotonic()
        spark.read.schema(raw_schema_ddl()).json(raw_files).write.option("compression", CURATED_COMPRESSION).parquet(str(out / "floor"))
        floor_seconds = time.monotonic() - started

        started = time.monotonic()
        result = run_batch(spark, raw_files, curated_uri=(out / "curated").as_uri() + "/", quarantine_uri=(out / "quarantine").as_uri() + "/")
        transform_seconds = time.monotonic() - started
        curated_bytes = dir_bytes(out / "curated", ".parquet")
    finally:
        spark.stop()
        shutil.rmtree(out, ignore_errors=True)

    summary = {
        "raw_gzip_mb": round(raw_bytes / 1e6, 1),
        "raw_objects": len(raw_files),
        "cores": os.cpu_count(),
        **result.as_dict(),
        "floor_seconds": round(floor_seconds, 1),
        "floor_inferred_schema_seconds": round(inferred_floor_seconds, 1),
        "transform_seconds": round(transform_seconds, 1),
        "ratio": round(transform_seconds / floor_seconds, 2),
        "ratio_to_inferred_floor": round(transform_seconds / inferred_floor_seconds, 2),
        "rows_per_second": round(result.raw_lines / transform_seconds),
        "curated_parquet_mb": round(curated_bytes / 1e6, 1),
        "curated_share_of_raw_gzip": round(curated_bytes / raw_bytes, 3),
    }
    print(json.dumps(summary))
    print(
        f"transform {transform_seconds:.1f}s vs floor {floor_seconds:.1f}s (schema given): {summary['ratio']}x, "
        f"vs {inferred_floor_seconds:.1f}s (schema inferred): {summary['ratio_to_inferred_floor']}x (target <= 1.5x); "
        f"{summary['rows_per_second']:,} rows/s; curated Parquet {summary['curated_parquet_mb']} MB = "
        f"{summary['curated_share_of_raw_gzip']:.1%} of {summary['raw_gzip_mb']} MB raw GZIP",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
