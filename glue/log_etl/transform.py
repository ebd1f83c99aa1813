"""Raw lake lines → validated, typed, deduplicated curated rows, and quarantined rows with reasons.

Pure DataFrame → DataFrame functions that import only pyspark: the Glue entry script, the tests, the
local run and the benchmark all call these same functions.

How a line is checked against the record schema without a Python UDF (UDFs would ship every row to a
Python worker), in two paths:

- Fast path, for lines in the form the transform Lambda writes (compact, schema key order, absent fields
  left out): parse with the typed schema and serialize the result back to JSON. If that reproduces the
  line byte for byte, every value already had its schema type (see validate()), and only the values'
  rules (enum, pattern, range, required) are left: one boolean predicate per rule, no text. A line that
  passes them all is valid; that is nearly every line, and none of the code below runs for it.
- Full check, for every other line (a canonical line that broke a rule, or any other layout): JSON's own
  types are needed per row (200 vs "200"), but Spark's JSON reader turns numbers into strings when asked
  for strings. So every JSON string token gets a marker character prepended (one regexp_replace: outside
  string tokens JSON has no quote characters, so the left-to-right match of `"(...)"` finds exactly the
  strings). After parsing into map<string,string>, a value that starts with the marker was a JSON string;
  anything else is a number, boolean, object, array or null, and its text says which. Keys carry the
  marker too and are looked up with it. This path builds the reasons, so they are written only for lines
  that have one (and a canonical line's reasons are the ones the fast predicates would have given).

Both paths give the same verdicts; the tests hold both to jsonschema's on mutated and hostile records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .record_schema import FieldRule, RecordRules, record_rules

# Any character works as the marker because every string token gets it; '~' keeps the text printable.
MARK = "~"
# A JSON string token; possessive quantifiers keep long strings linear (no backtracking).
JSON_STRING_TOKEN = r'"((?:[^"\\]++|\\.)*+)"'

# The curated layout, dt=YYYY-MM-DD/hour=HH/source=S/ (contracts/lake-layout.ts CURATED_PARTITION_KEYS, the same order;
# a jest test holds the two equal): the event's UTC date and hour, so a query over a few hours reads only those.
PARTITION_COLUMNS = ("dt", "hour", "source")
# Rows each task of the deduplicating write takes at most (about 80 MB of zstd Parquet at the benchmark's ~40 bytes
# a row): the number of tasks grows with the batch instead of staying one per partition (see curated_rows).
ROWS_PER_WRITE_TASK = 2_000_000
_ID_HASH = "_event_id_hash"
RAW_LINE_COLUMN = "value"
SOURCE_FILE_COLUMN = "source_file"
REASON_COLUMN = "reason"
NOT_AN_OBJECT = "line is not a JSON object"
# Joins an object's values for the all-strings check: an entry after it that lacks the marker is not a
# string. (A string value holding U+0001 itself would be flagged too: kept in quarantine, never curated wrong.)
_VALUE_SEPARATOR = "\u0001"
_UNMARKED_VALUE = "\u0001(?!" + MARK + ")"

_STRING_MAP = T.MapType(T.StringType(), T.StringType())
_SPARK_TYPES = {
    "string": T.StringType(),
    "timestamp": T.TimestampType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "map<string,string>": _STRING_MAP,
}
# The fast path's parse types: integers as long, so an int column's range can be checked before the cast.
_FAST_TYPES = {"string": T.StringType(), "int": T.LongType(), "bigint": T.LongType(), "map<string,string>": _STRING_MAP}
_INTEGER_BOUNDS = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class TransformResult:
    """Curated rows (typed, one per event_id, with partition columns) and quarantined lines with reasons."""

    curated: DataFrame
    quarantined: DataFrame


def curated_schema(rules: Optional[RecordRules] = None) -> T.StructType:
    """The curated rows' schema: every record field, typed, then the `dt` and `hour` partition columns."""
    rules = rules or record_rules()
    fields = [T.StructField(rule.name, _SPARK_TYPES[rule.curated_type], True) for rule in rules.fields]
    return T.StructType(fields + [T.StructField("dt", T.StringType(), True), T.StructField("hour", T.StringType(), True)])


def _matches(text: Column, pattern: str) -> Column:
    """A schema pattern as jsonschema (Python's re.search) applies it. Java's `$` also matches before a final
    \r, \u2028 or \u0085, Python's only before a final \n; UNIX_LINES (?d) leaves Java just that one."""
    return text.rlike("(?d)" + pattern)


_LOWER_HEX_PATTERN = re.compile(r"\^\[0-9a-f\]\{([0-9]+)\}\$")


def _fast_matches(value: Column, pattern: str) -> Column:
    """The fast path's check of a pattern: it may be stricter than the pattern (a line it rejects only goes to
    the full check, which applies the pattern itself), never looser.

    Fixed-length lowercase hex (the event id) is checked without a regular expression: unhex() is null for any
    non-hex digit and lower() leaves only a-f unchanged, two byte loops where rlike decodes the value into a
    Java string and runs a matcher (several times the CPU time on the benchmark's lines, measured). Stricter than the
    pattern in one case: `$` also matches before a final newline.
    """
    hex_length = _LOWER_HEX_PATTERN.fullmatch(pattern)
    if hex_length is not None and int(hex_length.group(1)) % 2 == 0:
        return (F.length(value) == F.lit(int(hex_length.group(1)))) & F.unhex(value).isNotNull() & (F.lower(value) == value)
    return _matches(value, pattern)


def _all(columns: list[Column]) -> Column:
    result = columns[0] if columns else F.lit(True)
    for column in columns[1:]:
        result = result & column
    return result


def _unmark(column: Column) -> Column:
    return column.substr(F.lit(len(MARK) + 1), F.length(column))


def _json_kind(value: Column) -> Column:
    """The JSON type of a parsed value, by the shape of its text (strings carry the marker)."""
    return (
        F.when(value.isNull(), F.lit("null"))
        .when(value.startswith(MARK), F.lit("string"))
        .when(value.rlike(r"^-?[0-9]+$"), F.lit("integer"))
        .when(value.rlike(r"^-?[0-9]"), F.lit("number"))
        .when(value.startswith("{"), F.lit("object"))
        .when(value.startswith("["), F.lit("array"))
        .otherwise(F.lit("boolean"))
    )


class _FieldCheck:
    """The problems and the typed value of one property, as Column expressions.

    Built in two steps so Spark computes each map lookup once: `extracted()` pulls the property's text and
    JSON kind out of the parsed map into struct fields; `problems()` and `slow_typed()` then read those
    fields through `field` (see _full_check: a lambda variable's getField, evaluated only for lines the
    fast path did not settle).
    """

    def __init__(self, rule: FieldRule):
        self.rule = rule
        self.raw_col = f"_raw_{rule.name}"
        self.kind_col = f"_kind_{rule.name}"
        # Parsed once here, read by both the checks and the typed value.
        self.parsed_col = f"_parsed_{rule.name}"
        # A canonical line's instant, cast once: its check and the curated value read the same column.
        self.instant_col = f"_instant_{rule.name}"

    def extracted(self, parsed: Column) -> list[Column]:
        raw = parsed.getItem(MARK + self.rule.name)
        kind = _json_kind(raw)
        columns = [raw.alias(self.raw_col), kind.alias(self.kind_col)]
        if self.rule.is_instant:
            # A plain cast, not to_timestamp with a pattern: the cast returns null for an impossible date, where
            # the pattern parser can throw (SparkUpgradeException) on text the legacy parser would have read.
            # The schema pattern, checked separately, pins the exact layout.
            text = _unmark(raw)
            columns.append(F.when((kind == F.lit("string")) & _matches(text, self.rule.pattern), text.cast(T.TimestampType())).alias(self.parsed_col))
        elif self.rule.value_type == "object":
            columns.append(F.when(kind == F.lit("object"), F.from_json(raw, _STRING_MAP)).alias(self.parsed_col))
        return columns

    def problems(self, field: Callable[[str], Column]) -> list[Column]:
        rule, kind, raw, parsed = self.rule, field(self.kind_col), field(self.raw_col), field(self.parsed_col)
        text = _unmark(raw)
        present = F.array_contains(field("_keys"), MARK + rule.name)
        name = rule.name
        allowed = " or ".join(rule.json_types)
        checks: list[Column] = []
        if rule.required:
            checks.append(F.when(~present, F.lit(f"missing required property '{name}'")))
        type_ok = kind.isin(*rule.json_types)
        checks.append(F.when(present & ~type_ok, F.concat(F.lit(f"'{name}' must be {allowed} (got "), kind, F.lit(")"))))
        is_value = kind == F.lit(rule.value_type)

        if rule.value_type == "string":
            if rule.enum is not None:
                listed = ", ".join(rule.enum)
                checks.append(F.when(is_value & ~text.isin(*rule.enum), F.concat(F.lit(f"'{name}' must be one of {listed} (got '"), text, F.lit("')"))))
            if rule.pattern is not None:
                matches = _matches(text, rule.pattern)
                checks.append(F.when(is_value & ~matches, F.lit(f"'{name}' does not match {rule.pattern}")))
                if rule.is_instant:
                    # The pattern allows impossible dates (2024-02-30); Parquet needs a real instant.
                    checks.append(F.when(is_value & matches & parsed.isNull(), F.lit(f"'{name}' is not a valid date-time")))
        elif rule.value_type == "integer":
            # The kind check admits only digit strings; beyond a long the cast gives null (reported below).
            number = raw.cast(T.LongType())
            if rule.minimum is not None:
                checks.append(F.when(is_value & (number < F.lit(rule.minimum)), F.concat(F.lit(f"'{name}' must be >= {rule.minimum} (got "), raw, F.lit(")"))))
            if rule.maximum is not None:
                checks.append(F.when(is_value & (number > F.lit(rule.maximum)), F.concat(F.lit(f"'{name}' must be <= {rule.maximum} (got "), raw, F.lit(")"))))
            low, high = _INTEGER_BOUNDS[rule.curated_type]
            # Beyond the column type the value cannot be stored; it is kept in quarantine instead.
            out_of_range = number.isNull() if rule.curated_type == "bigint" else (number.isNull() | (number < F.lit(low)) | (number > F.lit(high)))
            checks.append(F.when(is_value & out_of_range, F.lit(f"'{name}' does not fit the {rule.curated_type} column")))
        else:
            # Every value of the marked object must be a marked string: join them behind a separator and look
            # for one that is not (nulls become empty entries, which are not marked either).
            values = F.map_values(parsed)
            joined = F.concat(F.lit(_VALUE_SEPARATOR), F.array_join(values, _VALUE_SEPARATOR, ""))
            checks.append(F.when(is_value & (F.size(values) > 0) & joined.rlike(_UNMARKED_VALUE), F.lit(f"'{name}' values must be strings")))
        return checks

    def fast_value(self) -> Column:
        return F.col("_typed").getField(self.rule.name)

    def fast_ok(self) -> Column:
        """Whether a canonical line's value keeps every rule (see validate): types already hold, null means absent.

        Only a verdict, no text: the full check writes the reasons for the few lines where this is false.
        """
        rule, value = self.rule, self.fast_value()
        keeps: list[Column] = []
        if rule.enum is not None:
            keeps.append(value.isin(*rule.enum))
        if rule.pattern is not None:
            keeps.append(_fast_matches(value, rule.pattern))
            if rule.is_instant:
                # The pattern allows impossible dates (2024-02-30); the cast, read again for the typed value, does not.
                keeps.append(F.col(self.instant_col).isNotNull())
        if rule.minimum is not None:
            keeps.append(value >= F.lit(rule.minimum))
        if rule.maximum is not None:
            keeps.append(value <= F.lit(rule.maximum))
        if rule.curated_type == "int":
            low, high = _INTEGER_BOUNDS["int"]
            keeps.append(value.between(F.lit(low), F.lit(high)))
        kept = _all(keeps)
        if rule.required:
            return value.isNotNull() & kept if keeps else value.isNotNull()
        return value.isNull() | kept if keeps else F.lit(True)

    def fast_typed(self) -> Column:
        if self.rule.is_instant:
            return F.col(self.instant_col)
        return self.fast_value().cast(_SPARK_TYPES[self.rule.curated_type])

    def typed(self) -> Column:
        return F.when(F.col("_fast_ok"), self.fast_typed()).otherwise(F.col("_full").getField(self.rule.name)).alias(self.rule.name)

    def slow_typed(self, field: Callable[[str], Column]) -> Column:
        rule = self.rule
        raw, parsed = field(self.raw_col), field(self.parsed_col)
        is_value = field(self.kind_col) == F.lit(rule.value_type)
        if rule.value_type == "string":
            value = parsed if rule.is_instant else _unmark(raw)
        elif rule.value_type == "integer":
            value = raw.cast(_SPARK_TYPES[rule.curated_type])
        else:
            # Keys and (checked) string values carry the marker; strip it from both.
            value = F.transform_values(F.transform_keys(parsed, lambda k, _v: _unmark(k)), lambda _k, v: _unmark(v))
        return F.when(is_value, value).cast(_SPARK_TYPES[rule.curated_type])


def _full_check(line: Column, checks: list[_FieldCheck], rules: RecordRules) -> Column:
    """A struct of the line's reason (every problem, '; '-joined), its typed fields and its timestamp text.

    Every JSON string token gets a marker, so the parsed text tells a string from a number, boolean, object,
    array or null (see the module docstring). Each intermediate value is bound once to a lambda variable
    (transform over a one-element array) instead of being a column of its own: columns would be computed and
    carried through every row's projections, while validate() evaluates this only where the fast path did not
    settle the line, about one line in a thousand.
    """
    marked = F.regexp_replace(line, JSON_STRING_TOKEN, f'"{MARK}$1"')
    # Spark's parser stops after the first value, so `{..} trailing` would pass: the line must end the object.
    trimmed = F.trim(line)
    one_object = trimmed.startswith("{") & trimmed.endswith("}")
    parsed = F.when(one_object, F.from_json(marked, _STRING_MAP))

    def checked(extracted: Column) -> Column:
        def field(name: str) -> Column:
            return extracted.getField(name)

        problems: list[Column] = [p for check in checks for p in check.problems(field)]
        if not rules.additional_properties:
            known = F.array(*[F.lit(MARK + name) for name in rules.names])
            unexpected = F.array_sort(F.array_except(field("_keys"), known))
            problems.append(
                F.when(F.size(unexpected) > 0, F.concat(F.lit("unexpected properties: "), F.regexp_replace(F.array_join(unexpected, ", "), f"(^|, ){MARK}", "$1")))
            )
        reason = F.when(~field("_is_object"), F.lit(NOT_AN_OBJECT)).otherwise(F.concat_ws("; ", *problems))
        return F.struct(
            reason.alias(REASON_COLUMN),
            *[check.slow_typed(field).alias(check.rule.name) for check in checks],
            _unmark(field("_raw_timestamp")).alias("_timestamp_text"),
        )

    def extract(parsed_map: Column) -> Column:
        extracted = F.struct(
            parsed_map.isNotNull().alias("_is_object"),
            *[column for check in checks for column in check.extracted(parsed_map)],
            F.map_keys(parsed_map).alias("_keys"),
        )
        return F.transform(F.array(extracted), checked)[0]

    return F.transform(F.array(parsed), extract)[0]


# Session time zone names that mean UTC itself (not merely an offset that happens to be zero today).
_UTC_ZONE_NAMES = frozenset({"UTC", "Etc/UTC", "Z", "GMT", "Etc/GMT", "+00:00", "UTC+00:00", "GMT+00:00"})


def _fast_instant(text: Column, utc_session: bool) -> Column:
    """A value matching ISO_INSTANT_PATTERN (24 characters, ending in 'Z') as a timestamp (see validate)."""
    if utc_session:
        return text.substr(1, len("2026-01-01T00:00:00.000")).cast(T.TimestampType())
    return text.cast(T.TimestampType())


def validate(raw_lines: DataFrame, rules: Optional[RecordRules] = None, fast_path: bool = True) -> DataFrame:
    """Every input line with its schema problems and its typed fields.

    Input: a DataFrame with a `value` string column holding one JSON line per row (as spark.read.text
    gives) and optionally `source_file`. Output: `reason` (every problem, joined by '; '; empty when the
    line is a valid record), every schema field typed for the curated table, `dt` and `hour` (the event's UTC
    date and hour, from `timestamp`), and `value` and `source_file` kept for invalid lines only (null for valid ones, so
    a cached batch does not hold every raw line twice). `fast_path=False` sends every line through the full
    check: the tests hold the two paths to the same verdicts and reasons that way.
    """
    rules = rules or record_rules()
    if RAW_LINE_COLUMN not in raw_lines.columns:
        raise ValueError(f"validate() needs a '{RAW_LINE_COLUMN}' string column of JSON lines (got columns {raw_lines.columns})")
    timestamp_rule = next((r for r in rules.fields if r.name == "timestamp" and r.is_instant), None)
    if timestamp_rule is None:
        raise ValueError("the record schema needs an ISO instant 'timestamp' property to derive the dt partition")
    line = F.col(RAW_LINE_COLUMN)
    has_source_file = SOURCE_FILE_COLUMN in raw_lines.columns
    kept = [line, F.col(SOURCE_FILE_COLUMN) if has_source_file else F.lit(None).cast("string").alias(SOURCE_FILE_COLUMN)]
    checks = [_FieldCheck(rule) for rule in rules.fields]

    # Fast path. Parse with the typed schema (as a plain JSON read would) and write the result back out as
    # JSON: when that reproduces the line byte for byte, the line is one compact object whose keys are schema
    # fields in schema order and whose every value has the schema's JSON type (a 5 where a string belongs
    # comes back as "5"; "200" in an integer field does not parse; unknown keys, explicit nulls and
    # duplicates are dropped), so only values need checking. That is the form the transform Lambda writes.
    typed_fields = T.StructType([T.StructField(r.name, _FAST_TYPES[r.curated_type if not r.is_instant else "string"]) for r in rules.fields])
    typed = F.from_json(line, typed_fields)
    # Map values that are null survive the round trip but are not strings: leave those to the full check.
    canonical = (F.to_json(F.col("_typed")) == line) & ~line.contains(":null")
    # An instant's text ends in 'Z'. Casting it with that suffix resolves the zone name again for every row (Spark
    # does it with two regular expressions: two thirds of the cast's CPU time, measured); without it, the text is
    # read in the session time zone, resolved once per task. Where the session is UTC (the Glue job, the tests
    # and the local run set it), the fast path casts the text without its 'Z'. Its values all match the instant
    # pattern (checked in fast_ok), for which both casts give the same instant; any other session keeps the
    # cast of the whole text.
    utc_session = raw_lines.sparkSession.conf.get("spark.sql.session.timeZone") in _UTC_ZONE_NAMES
    instants = [_fast_instant(F.col("_typed").getField(c.rule.name), utc_session).alias(c.instant_col) for c in checks if c.rule.is_instant]
    # A canonical line that keeps every rule: valid, and its typed values are the parsed ones.
    fast_ok = F.coalesce(canonical & _all([check.fast_ok() for check in checks]), F.lit(False)) if fast_path else F.lit(False)

    fast = (
        raw_lines.select(*kept, typed.alias("_typed"))
        .select(*kept, "_typed", *instants)
        .select(*kept, "_typed", *[c.instant_col for c in checks if c.rule.is_instant], fast_ok.alias("_fast_ok"))
    )
    # Full check for every other line, as one expression that only those lines evaluate (see _full_check).
    full = F.when(~F.col("_fast_ok"), _full_check(line, checks, rules))
    settled = fast.select(*kept, "_typed", *[c.instant_col for c in checks if c.rule.is_instant], "_fast_ok", full.alias("_full"))
    reason = F.when(F.col("_fast_ok"), F.lit("")).otherwise(F.col("_full").getField(REASON_COLUMN))
    timestamp_text = F.when(F.col("_fast_ok"), F.col("_typed").getField("timestamp")).otherwise(F.col("_full").getField("_timestamp_text"))
    step2 = settled.select(*kept, reason.alias(REASON_COLUMN), *[check.typed() for check in checks], timestamp_text.alias("_timestamp_text"))
    invalid = F.col(REASON_COLUMN) != F.lit("")
    return step2.select(
        F.when(invalid, F.col(RAW_LINE_COLUMN)).alias(RAW_LINE_COLUMN),
        F.when(invalid, F.col(SOURCE_FILE_COLUMN)).alias(SOURCE_FILE_COLUMN),
        REASON_COLUMN,
        *rules.names,
        # The timestamp is UTC ('Z'), so its first ten characters are the UTC date and characters 12-13 the hour.
        F.col("_timestamp_text").substr(1, 10).alias("dt"),
        F.col("_timestamp_text").substr(12, 2).alias("hour"),
    )


def valid_rows(validated: DataFrame, rules: Optional[RecordRules] = None) -> DataFrame:
    """Rows without problems, in curated column order (duplicates still in)."""
    rules = rules or record_rules()
    return validated.where(F.col(REASON_COLUMN) == "").select(*rules.names, "dt", "hour")


def curated_rows(validated: DataFrame, rules: Optional[RecordRules] = None, existing_event_ids: Optional[DataFrame] = None, tasks: Optional[int] = None) -> DataFrame:
    """Valid rows, one per event_id, minus events already curated by earlier runs (when given).

    Deduplication and the write run in `tasks` parallel tasks (default: the session's cores), however few
    partitions the batch holds. Copies of an event share its event_id, hence its line, timestamp and source, so
    they share the (dt, hour, source) partition and a hash of the id: rows are range-partitioned by
    (dt, hour, source, xxhash64(event_id)), which puts every copy in one task (exact deduplication) and gives
    each task a contiguous, about equal slice of that order. One hour of one source spreads over every task
    by its ids' hashes; a batch of many small partitions packs several into a task. Each task writes one file
    per partition it holds, so a run writes at most (partitions + tasks - 1) files.
    """
    rows = valid_rows(validated, rules)
    if existing_event_ids is not None:
        # Before the clustering shuffle, so the anti-join's own exchange does not undo it.
        seen = existing_event_ids.select("event_id").distinct()
        rows = rows.join(seen, on="event_id", how="left_anti").select(*rows.columns)
    tasks = tasks or rows.sparkSession.sparkContext.defaultParallelism
    # An explicit count: adaptive execution leaves it alone (it only coalesces repartitions without one).
    clustered = rows.withColumn(_ID_HASH, F.xxhash64("event_id")).repartitionByRange(tasks, *PARTITION_COLUMNS, _ID_HASH)
    # dropDuplicates would plan an aggregate keeping first() of every column (sort-based, as map columns cannot
    # sit in a hash buffer); numbering rows within an event_id needs one sort per task. The window's keys hold every
    # range key, so the range partitioning already clusters it (no second exchange). The id's hash leads the sort
    # because Spark sorts on the first key's 8-byte prefix: a dt prefix ("2026-11-") ties on every row, so every
    # comparison would read both rows. The partitioned writer then sorts by (dt, hour, source) again, one linear
    # pass where a task holds one or two partitions.
    first_copy = Window.partitionBy(_ID_HASH, "event_id", *PARTITION_COLUMNS).orderBy(_ID_HASH)
    return clustered.withColumn("_copy", F.row_number().over(first_copy)).where(F.col("_copy") == 1).drop("_copy", _ID_HASH)


def write_tasks(valid_rows_count: int, cores: int) -> int:
    """Tasks for the deduplicating write: every core, and more once a task would take over ROWS_PER_WRITE_TASK rows."""
    return max(1, cores, -(-valid_rows_count // ROWS_PER_WRITE_TASK))


def quarantined_rows(validated: DataFrame) -> DataFrame:
    """Invalid lines as received, the object they came from, and every problem found."""
    return validated.where(F.col(REASON_COLUMN) != "").select(RAW_LINE_COLUMN, SOURCE_FILE_COLUMN, REASON_COLUMN)


def transform(raw_lines: DataFrame, rules: Optional[RecordRules] = None) -> TransformResult:
    """Validates raw lines and splits them into curated rows and quarantined lines."""
    rules = rules or record_rules()
    validated = validate(raw_lines, rules)
    return TransformResult(curated=curated_rows(validated, rules), quarantined=quarantined_rows(validated))
