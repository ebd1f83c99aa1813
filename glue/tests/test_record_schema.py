"""The schema compiler: the rules it derives, and that it refuses keywords the transform would ignore."""

from __future__ import annotations

import copy

import pytest

from log_etl.record_schema import ISO_INSTANT_PATTERN, UnsupportedSchemaError, compile_rules, load_record_schema


def test_the_job_reads_the_repository_schema(record_schema):
    assert load_record_schema() == record_schema


def test_rules_follow_the_schema(rules, record_schema):
    assert rules.names == tuple(record_schema["properties"])
    assert rules.additional_properties is False
    assert [rule.name for rule in rules.fields if rule.required] == record_schema["required"]
    assert rules.field("source").enum == ("kinesis", "kafka")
    assert rules.field("event_id").pattern == "^[0-9a-f]{32}$"
    assert rules.field("status").minimum == 100 and rules.field("status").maximum == 999
    assert rules.field("timestamp").pattern == ISO_INSTANT_PATTERN


def test_column_types_derive_from_the_schema(rules):
    curated = {rule.name: rule.curated_type for rule in rules.fields}
    raw = {rule.name: rule.raw_type for rule in rules.fields}
    assert curated["timestamp"] == curated["ingested_at"] == "timestamp"
    assert raw["timestamp"] == raw["ingested_at"] == "string"
    assert curated["status"] == "int"
    assert curated["bytes"] == "bigint"
    assert curated["attributes"] == "map<string,string>"
    assert {curated[name] for name in ("host", "message", "raw", "event_id")} == {"string"}


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda s: s["properties"]["host"].update(format="hostname"), "keywords ['format'] are not enforced"),
        (lambda s: s["properties"]["status"].update(type=["integer", "string"]), "type must be one of"),
        (lambda s: s["properties"]["status"].update(type="number"), "type must be one of"),
        (lambda s: s["properties"]["attributes"].update(additionalProperties={"type": "integer"}), "objects must be string maps"),
        (lambda s: s["properties"]["status"].update(pattern="^1"), "pattern and enum are only enforced on strings"),
        (lambda s: s.update(oneOf=[]), "schema keywords ['oneOf']"),
        (lambda s: s["required"].append("tenant"), "required properties ['tenant'] have no definition"),
    ],
)
def test_keywords_the_transform_cannot_enforce_are_rejected(record_schema, change, message):
    schema = copy.deepcopy(record_schema)
    change(schema)
    with pytest.raises(UnsupportedSchemaError, match=message.replace("[", r"\[").replace("]", r"\]")):
        compile_rules(schema)
