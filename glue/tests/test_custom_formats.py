"""Custom formats in the Glue job: `format` accepts exactly the stage's custom format names (--custom_formats)
besides the schema's built-ins, so a record of a configured format is curated and any other name quarantined."""

from __future__ import annotations

import copy
import json

import pytest

from log_etl.record_schema import parse_custom_formats, record_rules, with_custom_formats
from log_etl.transform import transform
from tests.conftest import REPO_ROOT
from tests.raw_records import make_records, to_line

BUILT_INS = ("common", "combined", "syslog_rfc3164", "syslog_rfc5424", "json", "unparsed")
# The names of the example formats a user copies into a stage config (examples/formats/hdfs-apache-error.json).
EXAMPLE_NAMES = tuple(f["name"] for f in json.loads((REPO_ROOT / "examples" / "formats" / "hdfs-apache-error.json").read_text())["formats"])


def test_the_example_names_are_the_two_formats():
    assert EXAMPLE_NAMES == ("hdfs", "apache_error")


def test_format_accepts_the_built_ins_then_exactly_the_configured_names(rules):
    extended = with_custom_formats(rules, EXAMPLE_NAMES)
    assert rules.field("format").enum == BUILT_INS
    assert extended.field("format").enum == BUILT_INS + EXAMPLE_NAMES
    # Only `format` changes.
    assert [r for r in extended.fields if r.name != "format"] == [r for r in rules.fields if r.name != "format"]
    assert record_rules(EXAMPLE_NAMES) == extended
    assert record_rules([]) == rules


def test_the_job_argument_is_a_json_array_of_names():
    assert parse_custom_formats('["hdfs","apache_error"]') == EXAMPLE_NAMES
    assert parse_custom_formats("[]") == ()
    with pytest.raises(ValueError, match="must be a JSON array of names"):
        parse_custom_formats('"hdfs"')


@pytest.mark.parametrize(
    "names,message",
    [(["HDFS"], "must be lower case letters"), (["json"], r"\['json'\] are built-in formats"), ([""], "must be lower case letters")],
)
def test_names_the_lambdas_could_not_write_are_refused(rules, names, message):
    with pytest.raises(ValueError, match=message):
        with_custom_formats(rules, names)


def _record(fmt: str, index: int) -> dict:
    record = copy.deepcopy(make_records(6)[index])
    record["format"] = fmt
    record["event_id"] = f"{index:x}{len(fmt):x}".ljust(32, "0")
    return record


def test_records_of_configured_formats_are_curated_and_other_names_quarantined(spark, rules):
    # As the Lambdas write an HDFS and an Apache error line (severity, app, message, proc_id; client_ip).
    hdfs = {**_record("hdfs", 2), "severity": "info", "app": "dfs.DataNode$PacketResponder", "proc_id": "143", "attributes": {"block": "blk_-1608999687919862906"}}
    apache_error = {**_record("apache_error", 4), "severity": "error", "client_ip": "198.51.100.23"}
    zookeeper = _record("zookeeper", 3)
    lines = [to_line(hdfs), to_line(apache_error), to_line(zookeeper)]
    frame = spark.createDataFrame([(line, "memory://test") for line in lines], "value string, source_file string")

    configured = transform(frame, with_custom_formats(rules, EXAMPLE_NAMES))
    curated = {row.event_id: row for row in configured.curated.collect()}
    assert sorted(row.format for row in curated.values()) == ["apache_error", "hdfs"]
    assert curated[hdfs["event_id"]].attributes == {"block": "blk_-1608999687919862906"}
    quarantined = configured.quarantined.collect()
    assert [row.value for row in quarantined] == [to_line(zookeeper)]
    assert quarantined[0].reason == "'format' must be one of " + ", ".join(BUILT_INS + EXAMPLE_NAMES) + " (got 'zookeeper')"

    # A stage without custom formats accepts none of them.
    plain = transform(frame, rules)
    assert plain.curated.count() == 0
    assert plain.quarantined.count() == 3
