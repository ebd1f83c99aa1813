"""The fast path's verdicts on a hostile generated sample: the same curated/quarantine split, the same reasons
and the same typed rows as the full check gives every line, and jsonschema's verdicts.

The sample is built to hit the fast path's edges: lines that are canonical but break one rule, lines one byte
away from canonical (key order, spacing, escapes, explicit nulls), boundary values of every rule, strings that
look like JSON or carry the marker, integers beyond int and bigint, impossible dates, line terminators at the
end of anchored patterns, and lines that are not records at all.
"""

from __future__ import annotations

import copy
import json
import random
import re
from datetime import datetime

import jsonschema
import pytest
from pyspark.sql import functions as F

from log_etl.transform import quarantined_rows, valid_rows, validate
from tests.raw_records import make_records

SAMPLE_SIZE = 3000

VALUES = {
    "status": [99, 100, 101, 200, 999, 1000, -1, 0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20, "200", True, None, [], {}],
    "bytes": [0, -1, 1, 2**31, 2**63 - 1, 2**63, -(2**63), "12", None, 1.5],
    "event_id": [
        "0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0",
        "0123456789abcdef0123456789abcdef\n",
        "0123456789abcdef0123456789abcdef\r",
        "0123456789abcdef0123456789abcdef\u2028",
        "~0123456789abcdef0123456789abcde",
        "",
        None,
        7,
    ],
    "source": ["kinesis", "kafka", "Kinesis", "kinesis ", "", None, "firehose", 1],
    "format": ["common", "json", "unparsed", "nginx", "JSON", "", None, ["json"]],
    "timestamp": [
        "2026-11-24T23:50:00.000Z",
        "2024-02-29T12:00:00.000Z",
        "2026-02-29T12:00:00.000Z",
        "2026-11-24T24:00:00.000Z",
        "2026-11-24T23:59:60.000Z",
        "2026-11-24T23:50:00Z",
        "2026-11-24T23:50:00.000z",
        "2026-11-24T23:50:00.000+00:00",
        "2026-11-24 23:50:00.000Z",
        "2026-11-24T23:50:00.000Z\n",
        "2026-13-01T00:00:00.000Z",
        "0000-01-01T00:00:00.000Z",
        "",
        None,
        1732492200000,
    ],
    "host": ["web-1", "", "~", "~web", '{"a":1}', "a:null", ":null", "\\", '"', "é日本", None, 5, False, {"n": "x"}],
    "message": ["x" * 2000, "line\nbreak", "tab\there", "\u2028", "null", None, ["a"]],
    "attributes": [{}, {"k": "v"}, {"~": "~"}, {"k": ""}, {"k": 1}, {"k": None}, {"k": {"n": "x"}}, {"k": ["x"]}, {"": "empty key"}, "k=v", [], None],
}

NOT_RECORDS = ["", " ", "null", '{"event_id":"a","event_id":"b"}', "[]", "{}", "{", '{"event_id":', "42", '"text"', "\ufeff{}", "not json", '{"a":1} {"b":2}', "[{}]"]


def _layout(rng: random.Random, record: dict) -> str:
    """One of the ways a JSON line can be written; only the first is the Lambda's (canonical) form."""
    choice = rng.randrange(6)
    if choice <= 1:
        return json.dumps({k: v for k, v in record.items() if v is not None}, separators=(",", ":"), ensure_ascii=False)
    if choice == 2:
        items = list(record.items())
        rng.shuffle(items)
        return json.dumps(dict(items), separators=(",", ":"), ensure_ascii=False)
    if choice == 3:
        return json.dumps(record, ensure_ascii=rng.random() < 0.5)
    if choice == 4:
        return " " + json.dumps(record, separators=(",", ":"), ensure_ascii=False) + " "
    # Explicit nulls kept, compact: one byte sequence away from canonical.
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def hostile_sample(seed: int = 20261201) -> list[str]:
    rng = random.Random(seed)
    base = make_records(120, seed=11)
    lines = []
    for index in range(SAMPLE_SIZE):
        if rng.random() < 0.03:
            lines.append(rng.choice(NOT_RECORDS))
            continue
        record = copy.deepcopy(base[index % len(base)])
        record["event_id"] = f"{index:032x}"  # distinct ids, so deduplication hides no verdict
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            field = rng.choice(list(VALUES))
            value = rng.choice(VALUES[field])
            if rng.random() < 0.1:
                record.pop(field, None)
            else:
                record[field] = copy.deepcopy(value)
        if rng.random() < 0.05:
            record[rng.choice(["tenant", "Event_ID", "~host", ""])] = "x"
        lines.append(_layout(rng, record))
    return lines


@pytest.fixture(scope="module")
def sample():
    return hostile_sample()


@pytest.fixture(scope="module")
def both_paths(spark, rules, sample):
    """(fast path on, every line through the full check): reasons by line and curated rows of each."""
    frame = spark.createDataFrame([(line, "memory://hostile") for line in sample], "value string, source_file string")
    results = []
    for fast_path in (True, False):
        validated = validate(frame, rules, fast_path=fast_path).cache()
        reasons = {row.value: row.reason for row in quarantined_rows(validated).collect()}
        # As JSON text: some valid instants (year 0000) have no Python datetime.
        curated = sorted(row.j for row in valid_rows(validated, rules).select(F.to_json(F.struct("*")).alias("j")).collect())
        results.append((reasons, curated))
        validated.unpersist()
    return results


def test_the_sample_is_hostile(sample, both_paths):
    (reasons, curated), _ = both_paths
    assert len(curated) > 500, "the sample should keep many valid lines"
    assert len(reasons) > 500, "the sample should break many rules"
    assert len({r.split(" (got")[0] for r in reasons.values()}) > 25, "the sample should break many different rules"


def test_fast_path_gives_the_full_checks_split_and_reasons(both_paths):
    (fast_reasons, fast_curated), (full_reasons, full_curated) = both_paths
    differing = sorted(set(fast_reasons) ^ set(full_reasons))
    assert not differing, f"{len(differing)} lines split differently, e.g. {differing[:3]}"
    other_reason = [(line, fast_reasons[line], full_reasons[line]) for line in fast_reasons if fast_reasons[line] != full_reasons[line]]
    assert not other_reason, f"{len(other_reason)} lines with another reason, e.g. {other_reason[:2]}"
    assert fast_curated == full_curated


def _integral_float(value) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(_integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_integral_float(v) for v in value)
    return False


def _impossible_instant(record: dict, rules) -> bool:
    """An instant field that has the schema's layout but is no date (2026-02-29, 24:00): jsonschema checks
    only the layout; the job quarantines it, since the curated column must hold a real instant."""
    for rule in rules.fields:
        value = record.get(rule.name)
        if rule.is_instant and isinstance(value, str) and re.search(rule.pattern, value):
            try:
                datetime.strptime(value[:23], "%Y-%m-%dT%H:%M:%S.%f")
            except ValueError:
                return value[:4] != "0000"  # year 0 is a real instant to Spark, only Python has none
    return False


def _beyond_column(record: dict, rules) -> bool:
    """An integer the schema allows that its curated column cannot hold (bytes beyond bigint): quarantined."""
    for rule in rules.fields:
        value = record.get(rule.name)
        if rule.value_type == "integer" and isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
            return True
    return False


def test_verdicts_agree_with_jsonschema(sample, both_paths, record_schema, rules):
    """Where jsonschema is the contract. Three deliberate differences are left out, each quarantined by the job
    because the curated table could not hold it: impossible dates and integers beyond their column (above),
    and 200.0, which jsonschema counts as an integer (a float in an integer column is a producer bug)."""
    validator = jsonschema.Draft202012Validator(record_schema)
    (fast_reasons, _), _ = both_paths
    disagreements = []
    for line in sample:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and (_integral_float(record) or _impossible_instant(record, rules) or _beyond_column(record, rules)):
            continue
        expected_valid = isinstance(record, dict) and validator.is_valid(record)
        if expected_valid == (line in fast_reasons):
            disagreements.append((line, fast_reasons.get(line)))
    assert not disagreements, f"{len(disagreements)} lines where the job and jsonschema disagree, e.g. {disagreements[:3]}"
