"""The transform on a real local SparkSession: output schema and types, partition columns, duplicates,
quarantine reasons, empty input, and agreement with the JSON Schema itself (jsonschema) on mutated records."""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime, timezone

import jsonschema
import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from log_etl.transform import curated_schema, quarantined_rows, transform, validate
from tests.raw_records import FORMATS, SOURCES, make_records, to_line


def lines_frame(spark, lines):
    """A DataFrame shaped like lake_io.read_raw_lines' output, from in-memory lines."""
    return spark.createDataFrame([(line, "memory://test") for line in lines], "value string, source_file string")


def run(spark, lines, rules):
    result = transform(lines_frame(spark, lines), rules)
    return result.curated.collect(), result.quarantined.collect()


def test_curated_schema_types_follow_the_record_schema(rules):
    schema = curated_schema(rules)
    types = {field.name: field.dataType for field in schema.fields}
    assert [f.name for f in schema.fields] == [*rules.names, "dt", "hour"]
    assert types["timestamp"] == T.TimestampType()
    assert types["ingested_at"] == T.TimestampType()
    assert types["status"] == T.IntegerType()  # maximum 999 fits an int
    assert types["bytes"] == T.LongType()  # no maximum: bigint
    assert types["attributes"] == T.MapType(T.StringType(), T.StringType())
    assert types["event_id"] == T.StringType()
    assert types["dt"] == T.StringType()
    assert types["hour"] == T.StringType()


def test_valid_records_of_every_format_and_source_are_curated_with_typed_values(spark, rules):
    records = make_records(48)
    curated, quarantined = run(spark, [to_line(r) for r in records], rules)
    assert quarantined == []
    assert len(curated) == len(records)
    by_id = {row.event_id: row for row in curated}
    assert {row.format for row in curated} == set(FORMATS)
    assert {row.source for row in curated} == set(SOURCES)
    for record in records:
        row = by_id[record["event_id"]]
        assert row.timestamp == datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)
        assert row.dt == record["timestamp"][:10]
        assert row.hour == record["timestamp"][11:13]
        assert row.status == record["status"]
        assert row.bytes == record["bytes"]
        assert row.attributes == record["attributes"]
        assert row.raw == record["raw"]
        assert row.message == record["message"]


def test_output_dataframe_schema_is_the_curated_schema(spark, rules):
    result = transform(lines_frame(spark, [to_line(r) for r in make_records(6)]), rules)
    assert result.curated.schema == curated_schema(rules)
    assert result.quarantined.columns == ["value", "source_file", "reason"]


def test_dt_is_the_utc_event_date_across_midnight(spark, rules):
    records = make_records(400)  # starts 23:50 UTC, 3 s apart: crosses midnight
    curated, _ = run(spark, [to_line(r) for r in records], rules)
    assert {row.dt for row in curated} == {"2026-11-24", "2026-11-25"}
    for row in curated:
        assert row.dt == row.timestamp.strftime("%Y-%m-%d")


def test_instants_and_dt_do_not_depend_on_the_session_time_zone(spark, rules):
    """validate() casts instants without their 'Z' only where the session is UTC; another session keeps the cast of
    the whole text, and gives the same instants and dates."""
    lines = [to_line(r) for r in make_records(48)]

    def typed():
        curated = transform(lines_frame(spark, lines), rules).curated
        return sorted(curated.select("event_id", F.unix_micros("timestamp"), F.unix_micros("ingested_at"), "dt").collect())

    in_utc = typed()
    session_zone = spark.conf.get("spark.sql.session.timeZone")
    assert session_zone == "UTC"
    spark.conf.set("spark.sql.session.timeZone", "America/St_Johns")  # -03:30: no whole-hour coincidence
    try:
        elsewhere = typed()
    finally:
        spark.conf.set("spark.sql.session.timeZone", session_zone)
    assert len(in_utc) == 48
    assert elsewhere == in_utc


def test_duplicates_by_event_id_are_dropped(spark, rules):
    records = make_records(30)
    lines = [to_line(r) for r in records]
    redelivered = lines[:10] + lines[5:15]  # at-least-once: some events arrive two or three times
    curated, quarantined = run(spark, lines + redelivered, rules)
    assert quarantined == []
    assert len(curated) == 30
    assert len({row.event_id for row in curated}) == 30


def test_duplicates_in_quarantine_are_kept_so_nothing_is_lost(spark, rules):
    _, quarantined = run(spark, ["not json", "not json"], rules)
    assert len(quarantined) == 2


def test_empty_input_gives_empty_outputs_with_their_schemas(spark, rules):
    empty = spark.createDataFrame([], "value string, source_file string")
    result = transform(empty, rules)
    assert result.curated.count() == 0
    assert result.quarantined.count() == 0
    assert result.curated.schema == curated_schema(rules)


def test_input_without_a_value_column_is_rejected_with_a_clear_error(spark, rules):
    with pytest.raises(ValueError, match="needs a 'value' string column"):
        validate(spark.createDataFrame([("x",)], "line string"), rules)


def _mutated(field, value):
    record = make_records(6)[1]  # combined: every access-log field set
    record = copy.deepcopy(record)
    record[field] = value
    return record


def _without(field):
    record = copy.deepcopy(make_records(6)[1])
    del record[field]
    return record


BAD_LINES = [
    ("not json at all", "line is not a JSON object"),
    ("", "line is not a JSON object"),
    ("[1, 2, 3]", "line is not a JSON object"),
    ("42", "line is not a JSON object"),
    (to_line(make_records(1)[0]) + " trailing", "line is not a JSON object"),
    (json.dumps(_without("event_id")), "missing required property 'event_id'"),
    (json.dumps(_without("timestamp")), "missing required property 'timestamp'"),
    (json.dumps(_mutated("status", "200")), "'status' must be integer or null (got string)"),
    (json.dumps(_mutated("status", 200.5)), "'status' must be integer or null (got number)"),
    (json.dumps(_mutated("status", 42)), "'status' must be >= 100 (got 42)"),
    (json.dumps(_mutated("status", 1000)), "'status' must be <= 999 (got 1000)"),
    (json.dumps(_mutated("bytes", -1)), "'bytes' must be >= 0 (got -1)"),
    (json.dumps(_mutated("bytes", 10**20)), "'bytes' does not fit the bigint column"),
    (json.dumps(_mutated("host", 5)), "'host' must be string or null (got integer)"),
    (json.dumps(_mutated("host", True)), "'host' must be string or null (got boolean)"),
    (json.dumps(_mutated("host", ["a"])), "'host' must be string or null (got array)"),
    (json.dumps(_mutated("event_id", None)), "'event_id' must be string (got null)"),
    (json.dumps(_mutated("event_id", "ABCDEF0123456789ABCDEF0123456789")), "'event_id' does not match ^[0-9a-f]{32}$"),
    (json.dumps(_mutated("source", "firehose")), "'source' must be one of kinesis, kafka (got 'firehose')"),
    (json.dumps(_mutated("format", "nginx")), "'format' must be one of common, combined, syslog_rfc3164, syslog_rfc5424, json, unparsed (got 'nginx')"),
    (json.dumps(_mutated("timestamp", "2026-11-24 23:50:00")), r"'timestamp' does not match"),
    (json.dumps(_mutated("timestamp", "2026-02-30T10:00:00.000Z")), "'timestamp' is not a valid date-time"),
    # An offset instead of Z: the pattern parser would throw on this (SparkUpgradeException); it must not.
    (json.dumps(_mutated("timestamp", "2026-11-25T12:52:39.142+01:00")), "'timestamp' does not match"),
    (json.dumps(_mutated("ingested_at", "1732535559142")), "'ingested_at' does not match"),
    (json.dumps(_mutated("attributes", {"k": 1})), "'attributes' values must be strings"),
    (json.dumps(_mutated("attributes", {"k": None})), "'attributes' values must be strings"),
    (json.dumps(_mutated("attributes", "k=v")), "'attributes' must be object or null (got string)"),
    (json.dumps({**_mutated("user", "alice"), "tenant": "x", "zone": "y"}), "unexpected properties: tenant, zone"),
    # Compact lines in the Lambda's key order, as the fast path sees them: every type slip must still be caught.
    (to_line(_mutated("host", 5)), "'host' must be string or null (got integer)"),
    (to_line(_mutated("host", {"name": "web-1"})), "'host' must be string or null (got object)"),
    (to_line(_mutated("status", "200")), "'status' must be integer or null (got string)"),
    (to_line(_mutated("status", 200.0)), "'status' must be integer or null (got number)"),
    (to_line(_mutated("bytes", 10**20)), "'bytes' does not fit the bigint column"),
    (to_line(_mutated("attributes", {"k": 7})), "'attributes' values must be strings"),
    (to_line(_mutated("attributes", {"k": None})), "'attributes' values must be strings"),
    (to_line(_mutated("status", 99)), "'status' must be >= 100 (got 99)"),
    (to_line(_mutated("format", "nginx")), "'format' must be one of"),
    (to_line(_mutated("timestamp", "2026-02-30T10:00:00.000Z")), "'timestamp' is not a valid date-time"),
    (to_line({**_mutated("user", "bob"), "tenant": "x"}), "unexpected properties: tenant"),
    (to_line(_without("source")), "missing required property 'source'"),
]


@pytest.fixture(scope="module")
def bad_line_verdicts(spark, rules):
    """All bad lines through one transform run (one Spark job instead of one per line)."""
    result = transform(lines_frame(spark, [line for line, _ in BAD_LINES]), rules)
    return result.curated.collect(), {row.value: row for row in result.quarantined.collect()}


def test_no_bad_line_is_curated(bad_line_verdicts):
    curated, quarantined = bad_line_verdicts
    assert curated == []
    assert len(quarantined) == len(BAD_LINES)


@pytest.mark.parametrize("line,reason", BAD_LINES, ids=[r for _, r in BAD_LINES])
def test_bad_lines_are_quarantined_with_the_reason(bad_line_verdicts, line, reason):
    _, quarantined = bad_line_verdicts
    assert line in quarantined, f"{line!r} was not quarantined"
    assert quarantined[line].source_file == "memory://test"
    assert reason in quarantined[line].reason


def test_every_problem_of_a_line_is_reported(spark, rules):
    record = _without("event_id")
    record["status"] = "oops"
    record["format"] = "nginx"
    _, quarantined = run(spark, [json.dumps(record)], rules)
    reasons = quarantined[0].reason.split("; ")
    assert reasons == [
        "missing required property 'event_id'",
        "'format' must be one of common, combined, syslog_rfc3164, syslog_rfc5424, json, unparsed (got 'nginx')",
        "'status' must be integer or null (got string)",
    ]


def test_good_and_bad_rows_are_split_and_counted(spark, rules):
    good = [to_line(r) for r in make_records(20)]
    bad = [line for line, _ in BAD_LINES]
    result = transform(lines_frame(spark, good + bad), rules)
    assert result.curated.count() == 20
    assert result.quarantined.count() == len(bad)


def test_escaped_and_unicode_strings_survive(spark, rules):
    record = make_records(6)[5]  # unparsed line
    record["raw"] = 'a "quoted" \\ back\\slash\ttab é 日本 \u2028 ~tilde'
    record["attributes"] = {'k "q"': 'v\\"', "~": "~"}
    curated, quarantined = run(spark, [json.dumps(record)], rules)
    assert quarantined == []
    assert curated[0].raw == record["raw"]
    assert curated[0].attributes == record["attributes"]


def _random_mutation(rng: random.Random, record: dict) -> dict:
    """A record with one random change that may or may not break the schema."""
    record = copy.deepcopy(record)
    field = rng.choice(list(record))
    choice = rng.randrange(9)
    if choice == 0:
        del record[field]
    elif choice == 1:
        record[field] = None
    elif choice == 2:
        record[field] = rng.choice([0, 99, 100, 404, 999, 1000, -5, 123456789])
    elif choice == 3:
        record[field] = rng.choice(["", "x", "200", "kinesis", "json", "0123456789abcdef0123456789abcdef", "2026-01-01T00:00:00.000Z"])
    elif choice == 4:
        record[field] = rng.choice([True, False, [], ["a"], 1.5])
    elif choice == 5:
        record[field] = rng.choice([{}, {"a": "b"}, {"a": 1}, {"a": None}, {"a": {"b": "c"}}])
    elif choice == 6:
        record[rng.choice(["extra", "tenant", "Event_ID"])] = "x"
    elif choice == 7:
        record[field] = str(record[field]).upper() if isinstance(record[field], str) else record[field]
    return record


@pytest.mark.parametrize(
    "separators",
    [(",", ":"), (", ", ": ")],
    ids=["compact lines (the Lambda's form: the fast path)", "spaced lines (the full check)"],
)
def test_verdicts_agree_with_jsonschema_on_random_mutations(spark, rules, record_schema, separators):
    """The schema is the contract: whatever jsonschema accepts is curated, whatever it rejects is quarantined."""
    validator = jsonschema.Draft202012Validator(record_schema)
    rng = random.Random(20261125)
    base = make_records(60, seed=3)
    if separators == (",", ":"):
        # As the Lambda writes them: fields a format lacks left out, so unmutated lines are canonical.
        base = [{k: v for k, v in r.items() if v is not None} for r in base]
    candidates = [_random_mutation(rng, base[i % len(base)]) for i in range(600)]
    # Give every candidate its own id so deduplication does not hide a verdict.
    for index, record in enumerate(candidates):
        if isinstance(record.get("event_id"), str) and len(record["event_id"]) == 32:
            record["event_id"] = f"{index:032x}" if record["event_id"].islower() or record["event_id"].isdigit() else record["event_id"]
    lines = [json.dumps(r, separators=separators, ensure_ascii=False) for r in candidates]
    expected_valid = {line for line, record in zip(lines, candidates) if validator.is_valid(record)}
    assert 50 < len(expected_valid) < len(lines) - 50, "the mutations should produce both verdicts"

    validated = validate(lines_frame(spark, lines), rules).cache()
    actual_invalid = {row.value for row in quarantined_rows(validated).collect()}
    actual_valid = set(lines) - actual_invalid
    disagreements = sorted((actual_valid ^ expected_valid))
    assert not disagreements, f"{len(disagreements)} lines where the transform and jsonschema disagree, e.g. {disagreements[:3]}"
