"""Runs the Glue job's batch on a lake directory with local Spark: raw/ in, curated/ and quarantine/ out.

For `npm run local`: after the local pipeline has landed raw objects (copied from the emulated bucket into a
directory with the same keys), this runs the same code the Glue job runs and prints one JSON line with the
raw and curated counts. No GlueContext, bookmark or catalog: every object under raw/ is read.

    .venv/bin/python glue/run_local.py --lake .local/lake
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(GLUE_DIR))

from log_etl.batch import run_batch  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, type=Path, help="directory holding raw/ as the lake bucket does")
    parser.add_argument("--out", type=Path, help="where curated/ and quarantine/ go (default: the lake directory)")
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
    try:
        result = run_batch(spark, objects, curated_uri=curated_uri, quarantine_uri=(out / "quarantine").resolve().as_uri() + "/")
        seconds = round(time.monotonic() - started, 1)
        # Per path (the source= partitions), so the local run can show what each path contributed.
        by_source = {row["source"]: row["count"] for row in spark.read.parquet(curated_uri).groupBy("source").count().collect()} if result.curated_rows else {}
    finally:
        spark.stop()
    raw_by_source: dict[str, int] = {}
    for path in objects:
        source = next((part.split("=", 1)[1] for part in Path(path).parts if part.startswith("source=")), "unknown")
        raw_by_source[source] = raw_by_source.get(source, 0) + 1
    print(json.dumps({"raw_objects": len(objects), "raw_objects_by_source": raw_by_source, **result.as_dict(), "curated_rows_by_source": by_source, "seconds": seconds, "curated": str(out / "curated")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
