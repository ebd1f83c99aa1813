"""Runs the Glue job's batch on a lake directory with local Spark: raw/ in, curated/ and quarantine/ out.

For `npm run local`: after the local pipeline has landed raw objects (copied from the emulated bucket into a
directory with the same keys), this runs the same code the Glue job runs and prints one JSON line with the
raw and curated counts. No GlueContext, bookmark or catalog: every object under raw/ is read.

With --cloudwatch-endpoint (the local run passes moto's), the run's counts are published as the job publishes
them (log_etl.run_metrics), then read back through the endpoint's GetMetricData, and printed next to the rows
counted in the curated and quarantine output, so the caller can check that the metrics tell the truth.

    .venv/bin/python glue/local/run_local.py --lake .local/lake [--cloudwatch-endpoint http://127.0.0.1:PORT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(GLUE_DIR))

from log_etl.batch import run_batch  # noqa: E402
from log_etl.record_schema import parse_custom_formats, record_rules  # noqa: E402
from log_etl.run_metrics import publish_run_metrics, read_run_metrics, run_metric_names  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, type=Path, help="directory holding raw/ as the lake bucket does")
    parser.add_argument("--out", type=Path, help="where curated/ and quarantine/ go (default: the lake directory)")
    parser.add_argument("--cloudwatch-endpoint", help="publish the run's counts to this CloudWatch endpoint and read them back")
    parser.add_argument("--custom-formats", default="[]", help="JSON array of custom format names the run accepts as format, as the job's --custom_formats (default: none)")
    parser.add_argument("--job-name", default="log-etl-local", help="the JobName dimension of the published counts (default: %(default)s)")
    args = parser.parse_args(argv)

    raw = args.lake / "raw"
    objects = sorted(str(p) for p in raw.rglob("*") if p.is_file())
    if not objects:
        print(json.dumps({"error": f"no raw objects under {raw}"}), file=sys.stderr)
        return 2
    out = args.out or args.lake

    from local_spark import local_spark

    spark = local_spark("log-etl-local")
    started = time.monotonic()
    curated_uri = (out / "curated").resolve().as_uri() + "/"
    quarantine_uri = (out / "quarantine").resolve().as_uri() + "/"
    metrics: dict = {}
    try:
        rules = record_rules(parse_custom_formats(args.custom_formats))
        result = run_batch(spark, objects, curated_uri=curated_uri, quarantine_uri=quarantine_uri, rules=rules)
        seconds = round(time.monotonic() - started, 1)
        # Per path (the source= partitions), so the local run can show what each path contributed.
        by_source = {row["source"]: row["count"] for row in spark.read.parquet(curated_uri).groupBy("source").count().collect()} if result.curated_rows else {}
        if args.cloudwatch_endpoint:
            import boto3

            # The rows in the output itself, counted apart from the job's own counting: what the metrics must equal.
            quarantine_output_rows = spark.read.option("recursiveFileLookup", "true").text(quarantine_uri).count() if (out / "quarantine").exists() else 0
            metrics = {"curated_output_rows": sum(by_source.values()), "quarantine_output_rows": quarantine_output_rows}
            cloudwatch = boto3.client("cloudwatch", endpoint_url=args.cloudwatch_endpoint)
            names = run_metric_names()
            since = datetime.now(timezone.utc) - timedelta(minutes=1)
            problem = publish_run_metrics(cloudwatch, result.as_dict(), args.job_name, names)
            metrics["metrics_namespace"] = names.namespace
            metrics["metrics_published"] = problem is None
            if problem:
                metrics["metrics_warning"] = problem
            else:
                metrics["metrics_read_back"] = read_run_metrics(cloudwatch, names, args.job_name, since)
    finally:
        spark.stop()
    raw_by_source: dict[str, int] = {}
    for path in objects:
        source = next((part.split("=", 1)[1] for part in Path(path).parts if part.startswith("source=")), "unknown")
        raw_by_source[source] = raw_by_source.get(source, 0) + 1
    print(json.dumps({"raw_objects": len(objects), "raw_objects_by_source": raw_by_source, **result.as_dict(), "curated_rows_by_source": by_source, **metrics, "seconds": seconds, "curated": str(out / "curated")}))
    return 0


def describe_exception(error: BaseException) -> tuple[str, str]:
    """The exception's type and the first line of its message; for an error raised in the JVM (Py4JJavaError),
    the Java exception's class and message, which say what went wrong where the Python side says only which
    call failed."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        try:
            return f"{type(error).__name__} ({java.getClass().getName()})", str(java.getMessage() or "").strip().splitlines()[0]
        except Exception:  # noqa: BLE001 - the JVM may be gone; fall back to the Python side
            pass
    lines = str(error).strip().splitlines()
    return type(error).__name__, lines[0] if lines else ""


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as failure:  # noqa: BLE001 - reported to the caller as one JSON line, the traceback to stderr
        import traceback

        traceback.print_exc()
        error_type, message = describe_exception(failure)
        print(json.dumps({"error_type": error_type, "error": message}), flush=True)
        sys.exit(1)
