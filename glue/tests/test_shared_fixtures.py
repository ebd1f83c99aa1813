"""The shared fixtures under schema/fixtures/, the same files the TypeScript tests check: every valid
record passes the JSON Schema and is curated; every invalid one fails the schema and is quarantined.
This is what keeps the transform Lambda and the Glue job from drifting apart."""

from __future__ import annotations

import json

import jsonschema
import pytest

from log_etl.transform import transform
from tests.conftest import REPO_ROOT
from tests.raw_records import FORMATS

FIXTURES = REPO_ROOT / "schema" / "fixtures"
VALID = FIXTURES / "valid-records.jsonl"
INVALID = FIXTURES / "invalid-records.jsonl"


def read_jsonl(path):
    if not path.is_file():
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is missing: it is the shared contract between the Lambda and the Glue job (written with the transform Lambda's tests)", pytrace=False)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is empty", pytrace=False)
    return lines


@pytest.fixture(scope="module")
def validator(record_schema):
    return jsonschema.Draft202012Validator(record_schema)


def test_valid_fixtures_pass_the_schema_and_are_all_curated(spark, rules, validator):
    lines = read_jsonl(VALID)
    records = [json.loads(line) for line in lines]
    for record in records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, f"valid fixture {record.get('event_id')} fails the schema: {errors}"
    assert {r["format"] for r in records} >= set(FORMATS), "the valid fixtures should cover every format the Lambda emits"

    result = transform(spark.createDataFrame([(line, str(VALID)) for line in lines], "value string, source_file string"), rules)
    quarantined = result.quarantined.collect()
    assert quarantined == [], f"valid fixtures were quarantined: {[(q.value[:80], q.reason) for q in quarantined]}"
    curated = {row.event_id: row for row in result.curated.collect()}
    assert set(curated) == {r["event_id"] for r in records}
    for record in records:
        row = curated[record["event_id"]]
        assert row.format == record["format"]
        assert row.dt == record["timestamp"][:10]
        # Fields a format does not carry may be left out of the line: they are null in the curated row.
        assert row.attributes == record.get("attributes")
        assert (row.status, row.bytes, row.raw, row.message) == (record.get("status"), record.get("bytes"), record.get("raw"), record.get("message"))


def test_invalid_fixtures_fail_the_schema_and_are_all_quarantined(spark, rules, validator):
    cases = [json.loads(line) for line in read_jsonl(INVALID)]
    for case in cases:
        assert set(case) >= {"reason", "record"}, f"invalid fixture lines are {{reason, record}} objects (got keys {sorted(case)})"
        assert not validator.is_valid(case["record"]), f"invalid fixture '{case['reason']}' passes the schema"

    lines = [json.dumps(case["record"]) for case in cases]
    result = transform(spark.createDataFrame([(line, str(INVALID)) for line in lines], "value string, source_file string"), rules)
    curated = result.curated.collect()
    assert curated == [], f"invalid fixtures were curated: {[row.event_id for row in curated]}"
    reasons = {row.value: row.reason for row in result.quarantined.collect()}
    for case, line in zip(cases, lines):
        assert reasons.get(line), f"invalid fixture '{case['reason']}' was not quarantined with a reason"
