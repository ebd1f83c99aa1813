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
    try:
        result = run_batch(spark, objects, curated_uri=(out / "curated").resolve().as_uri() + "/", quarantine_uri=(out / "quarantine").resolve().as_uri() + "/")
    finally:
        spark.stop()
    print(json.dumps({"raw_objects": len(objects), **result.as_dict(), "seconds": round(time.monotonic() - started, 1), "curated": str(out / "curated")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
