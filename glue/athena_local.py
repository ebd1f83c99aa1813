"""Answers Athena's SQL over the local curated Parquet with local Spark: the query engine of the verify test.

moto's Athena runs no SQL (its results are whatever is queued through its moto-api), so the integration test
of `npm run verify --curated` hands each query the code sent to this process, which runs it on Spark over
what glue/run_local.py wrote, and queues the rows it got in moto. The table is registered as the Glue catalog
has it: `<database>.<table>` over the curated directory, partitions dt, hour and source as strings, re-read before
each query (as Athena projects them from the directories). The SQL is taken as written: ANSI mode with
double-quoted identifiers makes Spark read `"db"."table"` and `"column"` as Athena (Trino) does; a query that
uses what Spark does not have fails here with Spark's message rather than being rewritten.

One JSON request per stdin line, one JSON answer per stdout line:
    {"sql": "SELECT ..."}  →  {"columns": ["a", ...], "rows": [["1", null, ...], ...]}  or  {"error": "..."}

    .venv/bin/python glue/athena_local.py --curated .local/lake/curated --database db --table curated
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(GLUE_DIR))

IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def athena_value(value) -> str | None:
    """A value as Athena's VarCharValue shows it: text, NULL as absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curated", required=True, type=Path, help="the curated/ directory glue/run_local.py wrote")
    parser.add_argument("--database", required=True)
    parser.add_argument("--table", required=True)
    args = parser.parse_args(argv)
    for name in (args.database, args.table):
        if not IDENTIFIER.match(name):
            print(json.dumps({"error": f"not a Glue name: {name!r}"}), flush=True)
            return 2

    from local_spark import local_spark

    spark = local_spark(
        "athena-local",
        shuffle_partitions=2,
        **{
            "spark.sql.ansi.enabled": "true",
            "spark.sql.ansi.doubleQuotedIdentifiers": "true",
            # The catalog's partition keys are strings (dt is 'YYYY-MM-DD' text, not a date).
            "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        },
    )
    location = args.curated.resolve().as_uri()
    table = f'"{args.database}"."{args.table}"'
    print(json.dumps({"ready": True, "spark": spark.version}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            spark.sql(f'CREATE DATABASE IF NOT EXISTS "{args.database}"')
            spark.sql(f"CREATE TABLE IF NOT EXISTS {table} USING parquet LOCATION '{location}'")
            spark.sql(f"MSCK REPAIR TABLE {table} SYNC PARTITIONS")
            spark.sql(f"REFRESH TABLE {table}")
            frame = spark.sql(request["sql"])
            rows = [[athena_value(v) for v in row] for row in frame.collect()]
            answer = {"columns": frame.columns, "rows": rows}
        except Exception as error:  # noqa: BLE001 - every failure goes back to the caller as the query's error
            answer = {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
        print(json.dumps(answer), flush=True)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
