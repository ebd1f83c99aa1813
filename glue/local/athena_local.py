"""Answers Athena's SQL over the local curated Parquet with local Spark: the query engine of the verify test.

moto's Athena runs no SQL (its results are whatever is queued through its moto-api), so the integration test
of `npm run verify --curated` hands each query the code sent to this process, which runs it on Spark over
what glue/local/run_local.py wrote, and queues the rows it got in moto. The table is registered as the Glue catalog
has it: `<database>.<table>` over the curated directory, partitions dt, hour and source as strings, re-read before
each query (as Athena projects them from the directories). The SQL is taken as written: ANSI mode with
double-quoted identifiers makes Spark read `"db"."table"` and `"column"` as Athena (Trino) does; a query that
uses what Spark does not have fails here with Spark's message rather than being rewritten. One Athena function
whose Spark namesake differs is registered with Athena's meaning: `date_format(value, format)` with Trino's
MySQL-style specifiers (`%Y-%m-%d`), which the saved queries filter partitions with.

With --raw, the raw JSON objects (raw/source=…/dt=…/*.gz) are a second table, typed as the Glue raw table is
(instants as strings; record_schema.FieldRule.raw_type), for `npm run query`.

One JSON request per stdin line, one JSON answer per stdout line:
    {"sql": "SELECT ..."}  →  {"columns": ["a", ...], "rows": [["1", null, ...], ...]}  or  {"error": "..."}

    .venv/bin/python glue/local/athena_local.py --curated .local/lake/curated --database db --table curated \
        [--raw .local/lake/raw --raw-table raw]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

GLUE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(GLUE_DIR))

IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def athena_value(value) -> str | None:
    """A value as Athena's VarCharValue shows it: text, NULL as absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Trino's date_format specifiers (MySQL's), as Python strftime: https://trino.io/docs/current/functions/datetime.html
TRINO_DATE_FORMAT = {
    "a": "%a", "b": "%b", "c": "%-m", "d": "%d", "e": "%-d", "f": "%f", "H": "%H", "h": "%I", "I": "%I",
    "i": "%M", "j": "%j", "k": "%-H", "l": "%-I", "M": "%B", "m": "%m", "p": "%p", "r": "%I:%M:%S %p",
    "S": "%S", "s": "%S", "T": "%H:%M:%S", "W": "%A", "Y": "%Y", "y": "%y", "%": "%%",
}


def trino_date_format(value, pattern: str) -> str | None:
    """Trino's date_format(timestamp, format) on a Python date or datetime; an unknown specifier is an error."""
    if value is None or pattern is None:
        return None
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] != "%" or i + 1 == len(pattern):
            out.append(pattern[i].replace("%", "%%"))
            i += 1
            continue
        spec = pattern[i + 1]
        if spec not in TRINO_DATE_FORMAT:
            raise ValueError(f"date_format: the specifier %{spec} is not one this local engine knows")
        out.append(TRINO_DATE_FORMAT[spec])
        i += 2
    return value.strftime("".join(out))


def raw_table_ddl(table: str, location: str) -> str:
    """The raw table as the Glue catalog types it: the record fields, then the partition keys source and dt."""
    from log_etl.record_schema import record_rules

    partition_keys = ("source", "dt")
    columns = [f'"{rule.name}" {rule.raw_type}' for rule in record_rules().fields if rule.name not in partition_keys]
    columns += [f'"{key}" string' for key in partition_keys]
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)}) USING json PARTITIONED BY ({', '.join(partition_keys)}) LOCATION '{location}'"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curated", required=True, type=Path, help="the curated/ directory glue/local/run_local.py wrote")
    parser.add_argument("--database", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--raw", type=Path, help="the raw/ directory (gzip JSON lines), as a second table")
    parser.add_argument("--raw-table", default="raw")
    args = parser.parse_args(argv)
    for name in (args.database, args.table, args.raw_table):
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
    spark.udf.register("date_format", trino_date_format, "string")
    location = args.curated.resolve().as_uri()
    table = f'"{args.database}"."{args.table}"'
    raw_table = f'"{args.database}"."{args.raw_table}"'
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
            if args.raw is not None:
                spark.sql(raw_table_ddl(raw_table, args.raw.resolve().as_uri()))
                spark.sql(f"MSCK REPAIR TABLE {raw_table} SYNC PARTITIONS")
                spark.sql(f"REFRESH TABLE {raw_table}")
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
