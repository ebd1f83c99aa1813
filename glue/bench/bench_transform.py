"""Benchmark: the Glue job's batch (validate, dedupe, curated Parquet + quarantine) against a floor.

Generates a raw lake of about --mb MB of GZIP JSON lines laid out as Firehose writes it (cached under
--data-dir, so reruns skip generation), then, in the same Spark session:

  floor      read the same JSON with its schema given and write it as Parquet with the curated codec, nothing else
  transform  log_etl.batch.run_batch, exactly what the Glue job runs between bookmark and catalog

Each is run --rounds times, alternating (floor, transform, floor, transform, ...), each into a fresh output
directory. The first transform runs on a cold plan (Spark generates and compiles its code, the JIT has not
seen it): that is what a Glue job run, a fresh JVM, pays, and it is reported apart. The ratio is the best
warm transform over the best warm floor (target <= 3). Also printed: rows/s, the curated Parquet size as a
share of the raw GZIP size, and the floor with the schema inferred (a second pass over the JSON) for context.
A second, steadier ratio comes from Spark's own task metrics (executorCpuTime summed over each run's tasks,
read from the event log after the session stops): wall time on a shared machine moves with the other load,
CPU time much less.
The data has ~1% redelivered duplicates and ~0.1% invalid lines, like a real lake. It spans two days of both
sources; `--span-hours 1 --one-source` puts it all in one hour of one source (one curated partition), where
only the parallelism within a partition can use more than one core. For each transform round the event log
also gives the stage that writes the curated Parquet: its tasks, and how many of them wrote rows.

    .venv/bin/python glue/bench/bench_transform.py --mb 200
    .venv/bin/python glue/bench/bench_transform.py --mb 20 --span-hours 1 --one-source
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
sys.path.insert(0, str(GLUE_DIR / "local"))  # local_spark

from log_etl.batch import run_batch  # noqa: E402
from log_etl.lake_io import CURATED_COMPRESSION  # noqa: E402
from log_etl.record_schema import record_rules  # noqa: E402
from tests.raw_records import SOURCES, make_records, to_line, write_firehose_object  # noqa: E402

RECORDS_PER_OBJECT = 150_000  # ~70 MB of JSON per object: a Firehose object at a large buffer size
GZIP_BYTES_PER_RECORD = 45  # measured on these records (fields a format lacks left out); sizes the dataset
START = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
SPAN_HOURS = 48  # by default the data covers two days: a daily backfill's worth of partitions


def _write_object(task: tuple[Path, int, int, int, float, tuple[str, ...]]) -> tuple[str, int]:
    lake, index, first_position, count, step, sources = task
    rng = random.Random(index)
    records = make_records(count, seed=index, start=START, step_seconds=step, first_position=first_position, sources=sources)
    lines = [to_line(r) for r in records]
    # ~1% of lines arrive again in a later object (at-least-once), ~0.1% are not valid records.
    extra = [lines[rng.randrange(len(lines))] for _ in range(count // 100)]
    broken = ['{"event_id": "truncated', "\x00garbage", json.dumps({"event_id": "x"})] * max(1, count // 3000)
    source = sources[index % len(sources)]
    path = write_firehose_object(lake, source, START + timedelta(hours=index), lines + broken)
    write_firehose_object(lake, source, START + timedelta(hours=index, minutes=5), extra)
    return str(path), len(lines) + len(extra) + len(broken)


def generate(lake: Path, megabytes: int, span_hours: int = SPAN_HOURS, sources: tuple[str, ...] = SOURCES) -> None:
    """Writes about `megabytes` MB of GZIP raw objects under lake/raw/ over `span_hours` hours of `sources`."""
    total_records = megabytes * 1_000_000 // GZIP_BYTES_PER_RECORD
    objects = max(2, -(-total_records // RECORDS_PER_OBJECT))
    per_object = total_records // objects
    # Strictly inside the span: the last record stays in the span's last hour.
    step = span_hours * 3600 * 0.999 / (per_object * objects)
    tasks = [(lake, i, i * per_object, per_object, step, sources) for i in range(objects)]
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


def task_metrics(event_log_dir: Path) -> tuple[dict[str, float], dict[str, dict[str, int]]]:
    """From the Spark event log (JSON lines): CPU seconds of every task summed per job group, and per job group
    the stage that wrote the most output records (the curated write): its tasks and those that wrote rows."""
    stage_group: dict[int, str] = {}
    cpu_ns: dict[str, int] = {}
    written: dict[int, list[int]] = {}
    for log_file in event_log_dir.iterdir():
        with log_file.open(encoding="utf-8") as events:
            for line in events:
                event = json.loads(line)
                kind = event.get("Event")
                if kind == "SparkListenerJobStart":
                    group = (event.get("Properties") or {}).get("spark.jobGroup.id")
                    if group:
                        stage_group.update({stage: group for stage in event["Stage IDs"]})
                elif kind == "SparkListenerTaskEnd":
                    metrics = event.get("Task Metrics") or {}
                    group = stage_group.get(event["Stage ID"])
                    if group:
                        cpu_ns[group] = cpu_ns.get(group, 0) + metrics.get("Executor CPU Time", 0)
                    written.setdefault(event["Stage ID"], []).append((metrics.get("Output Metrics") or {}).get("Records Written", 0))
    writers: dict[str, dict[str, int]] = {}
    for stage, records in written.items():
        group = stage_group.get(stage)
        if group and sum(records) > writers.get(group, {}).get("_records", -1):
            writers[group] = {"_records": sum(records), "tasks": len(records), "tasks_writing_rows": sum(1 for r in records if r > 0)}
    return {group: ns / 1e9 for group, ns in cpu_ns.items()}, {g: {k: v for k, v in w.items() if k != "_records"} for g, w in writers.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description="Glue transform vs read-JSON-write-Parquet floor on local Spark")
    parser.add_argument("--mb", type=int, default=200, help="size of the raw GZIP dataset in MB (default 200)")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".local" / "glue-bench", help="where generated raw data is cached")
    parser.add_argument("--driver-memory", default="8g", help="Spark driver memory (local mode runs everything in the driver)")
    parser.add_argument("--shuffle-partitions", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="floor/transform rounds; the first transform is the cold one (default 2)")
    parser.add_argument("--span-hours", type=int, default=SPAN_HOURS, help=f"hours of event time the data covers (default {SPAN_HOURS})")
    parser.add_argument("--one-source", action="store_true", help="every record from one source (kinesis) instead of both")
    args = parser.parse_args()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2: one cold transform, then at least one warm")

    sources = SOURCES[:1] if args.one_source else SOURCES
    lake = args.data_dir / (f"{args.mb}mb" + (f"-{args.span_hours}h" if args.span_hours != SPAN_HOURS else "") + ("-1source" if args.one_source else ""))
    if not (lake / "READY").exists():
        shutil.rmtree(lake, ignore_errors=True)
        generate(lake, args.mb, args.span_hours, sources)
    raw_files = sorted(str(p) for p in (lake / "raw").rglob("*.gz"))
    raw_bytes = dir_bytes(lake / "raw", ".gz")

    from local_spark import local_spark

    out = Path(tempfile.mkdtemp(prefix="glue-bench-"))
    event_log_dir = out / "event-log"
    event_log_dir.mkdir()
    spark = local_spark(
        "log-etl-bench",
        shuffle_partitions=args.shuffle_partitions,
        **{"spark.driver.memory": args.driver_memory, "spark.eventLog.enabled": "true", "spark.eventLog.dir": event_log_dir.as_uri()},
    )
    cpu: dict[str, float] = {}
    writers: dict[str, dict[str, int]] = {}
    try:
        # Warm the JVM (class loading, JIT) on a slice, so neither measured run pays for it.
        spark.read.text(raw_files[:1]).count()

        # The floor as plainly as it can be written (Spark infers the schema: a second pass over the JSON), once.
        started = time.monotonic()
        spark.read.json(raw_files).write.option("compression", CURATED_COMPRESSION).parquet(str(out / "floor-inferred"))
        inferred_floor_seconds = time.monotonic() - started

        floor_runs: list[float] = []
        transform_runs: list[float] = []
        result = None
        for round_index in range(args.rounds):
            # The stricter floor: the schema given, one pass. The ratio is reported against this one.
            spark.sparkContext.setJobGroup(f"floor-{round_index}", "floor")
            started = time.monotonic()
            spark.read.schema(raw_schema_ddl()).json(raw_files).write.option("compression", CURATED_COMPRESSION).parquet(str(out / f"floor-{round_index}"))
            floor_runs.append(time.monotonic() - started)

            # A fresh lake each round: otherwise the run would find every event already curated by the last one.
            curated_dir = out / f"curated-{round_index}"
            spark.sparkContext.setJobGroup(f"transform-{round_index}", "transform")
            started = time.monotonic()
            result = run_batch(spark, raw_files, curated_uri=curated_dir.as_uri() + "/", quarantine_uri=(out / f"quarantine-{round_index}").as_uri() + "/")
            transform_runs.append(time.monotonic() - started)
            spark.sparkContext.setJobGroup("other", "outside the measured runs")
            curated_bytes = dir_bytes(curated_dir, ".parquet")
            print(f"round {round_index + 1}/{args.rounds}: floor {floor_runs[-1]:.1f}s, transform {transform_runs[-1]:.1f}s{' (cold plan)' if round_index == 0 else ''}", flush=True)
            shutil.rmtree(out / f"floor-{round_index}", ignore_errors=True)
            shutil.rmtree(curated_dir, ignore_errors=True)
    finally:
        spark.stop()
        # The log is complete once the session has stopped.
        cpu, writers = task_metrics(event_log_dir)
        shutil.rmtree(out, ignore_errors=True)

    assert result is not None
    # Warm: every round's floor (the JVM was warmed before the first), every transform after the first.
    floor_seconds = min(floor_runs)
    transform_seconds = min(transform_runs[1:])
    cold_seconds = transform_runs[0]
    floor_cpu = [cpu.get(f"floor-{i}", 0.0) for i in range(args.rounds)]
    transform_cpu = [cpu.get(f"transform-{i}", 0.0) for i in range(args.rounds)]
    floor_cpu_seconds = min(floor_cpu)
    transform_cpu_seconds = min(transform_cpu[1:])
    summary = {
        "raw_gzip_mb": round(raw_bytes / 1e6, 1),
        "raw_objects": len(raw_files),
        "cores": os.cpu_count(),
        **result.as_dict(),
        "floor_seconds": round(floor_seconds, 1),
        "floor_runs_seconds": [round(t, 1) for t in floor_runs],
        "floor_inferred_schema_seconds": round(inferred_floor_seconds, 1),
        "transform_seconds": round(transform_seconds, 1),
        "transform_runs_seconds": [round(t, 1) for t in transform_runs],
        "transform_cold_seconds": round(cold_seconds, 1),
        "ratio": round(transform_seconds / floor_seconds, 2),
        "ratio_cold": round(cold_seconds / floor_seconds, 2),
        "ratio_to_inferred_floor": round(transform_seconds / inferred_floor_seconds, 2),
        "floor_task_cpu_seconds": [round(t, 1) for t in floor_cpu],
        "transform_task_cpu_seconds": [round(t, 1) for t in transform_cpu],
        "ratio_task_cpu": round(transform_cpu_seconds / floor_cpu_seconds, 2),
        "ratio_task_cpu_cold": round(transform_cpu[0] / floor_cpu_seconds, 2),
        "rows_per_second": round(result.raw_lines / transform_seconds),
        # Per transform round: the stage that wrote the curated rows, its tasks and those that wrote any.
        "curated_write_stage": [writers.get(f"transform-{i}", {}) for i in range(args.rounds)],
        "curated_parquet_mb": round(curated_bytes / 1e6, 1),
        "curated_share_of_raw_gzip": round(curated_bytes / raw_bytes, 3),
    }
    print(json.dumps(summary))
    print(
        f"transform (warm) {transform_seconds:.1f}s vs floor (warm, schema given) {floor_seconds:.1f}s: {summary['ratio']}x (target <= 3x); "
        f"cold plan {cold_seconds:.1f}s: {summary['ratio_cold']}x; vs {inferred_floor_seconds:.1f}s (schema inferred): "
        f"{summary['ratio_to_inferred_floor']}x; task CPU time (warm) {transform_cpu_seconds:.1f}s vs {floor_cpu_seconds:.1f}s: "
        f"{summary['ratio_task_cpu']}x (cold plan {summary['ratio_task_cpu_cold']}x); {summary['rows_per_second']:,} rows/s; "
        f"curated write stage (last round): {writers.get(f'transform-{args.rounds - 1}', {}).get('tasks_writing_rows', '?')} of "
        f"{writers.get(f'transform-{args.rounds - 1}', {}).get('tasks', '?')} tasks wrote rows on {summary['cores']} cores; curated Parquet {summary['curated_parquet_mb']} MB = "
        f"{summary['curated_share_of_raw_gzip']:.1%} of {summary['raw_gzip_mb']} MB raw GZIP",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
