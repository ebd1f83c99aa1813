"""The local Athena engine's own parts (glue/local/athena_local.py): Trino's date_format, which the saved queries
filter partitions with and Spark's namesake reads differently, and the raw table typed as the Glue raw table."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from athena_local import raw_table_ddl, trino_date_format
from log_etl.record_schema import record_rules


def test_date_format_takes_trinos_specifiers():
    # The saved queries' partition filter: dt >= date_format(current_date - interval '1' day, '%Y-%m-%d').
    assert trino_date_format(date(2026, 1, 2), "%Y-%m-%d") == "2026-01-02"
    assert trino_date_format(datetime(2026, 1, 2, 3, 4, 5, 600000), "%Y/%m/%d %H:%i:%s.%f") == "2026/01/02 03:04:05.600000"
    assert trino_date_format(datetime(2026, 1, 2, 13, 4, 5), "%T %% %W") == "13:04:05 % Friday"
    assert trino_date_format(None, "%Y") is None


def test_date_format_refuses_a_specifier_it_does_not_know():
    with pytest.raises(ValueError, match="the specifier %Q is not one this local engine knows"):
        trino_date_format(date(2026, 1, 2), "%Q")


def test_raw_table_has_every_record_field_typed_as_the_glue_raw_table_then_source_and_dt():
    ddl = raw_table_ddl('"default"."raw"', "file:///lake/raw")
    rules = record_rules()
    for rule in rules.fields:
        if rule.name not in ("source", "dt"):
            assert f'"{rule.name}" {rule.raw_type}' in ddl
    assert '"timestamp" string' in ddl  # instants stay the strings Firehose wrote
    assert ddl.endswith("""USING json PARTITIONED BY (source, dt) LOCATION 'file:///lake/raw'""")
    assert ddl.index('"source" string') > ddl.index('"raw"')
