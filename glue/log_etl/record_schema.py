"""The record schema (schema/log-record.schema.json) compiled into the field rules the transform checks.

The JSON Schema is the one contract every path writes. The Glue job reads it at run time instead of
re-typing the fields, so a change to the schema changes what the job accepts. Only the keywords the
schema uses today are understood; anything else raises UnsupportedSchemaError, so a schema change the
job cannot enforce fails the job's tests loudly instead of being ignored.
"""

from __future__ import annotations

import json
import pkgutil
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Optional

# Inside the job's --extra-py-files zip the schema sits next to this module (CDK bundling copies it in);
# in the repository it lives in schema/ at the root.
BUNDLED_SCHEMA_NAME = "log-record.schema.json"
REPO_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema" / "log-record.schema.json"

# String properties with exactly this pattern are instants: typed `timestamp` in the curated table.
# lib/constructs/analytics/lake-catalog.ts applies the same rule to the Glue table columns.
ISO_INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"

INT32_MAX = 2**31 - 1

SUPPORTED_ROOT_KEYWORDS = {"$schema", "$id", "title", "description", "type", "additionalProperties", "required", "properties"}
SUPPORTED_PROPERTY_KEYWORDS = {"description", "type", "pattern", "enum", "minimum", "maximum", "additionalProperties"}
SUPPORTED_TYPES = {"string", "integer", "object", "null"}


class UnsupportedSchemaError(ValueError):
    """The schema uses a construct the transform cannot enforce."""


@dataclass(frozen=True)
class FieldRule:
    """What the schema says about one property, in the terms the transform checks."""

    name: str
    json_types: tuple[str, ...]
    required: bool
    enum: Optional[tuple[str, ...]] = None
    pattern: Optional[str] = None
    minimum: Optional[int] = None
    maximum: Optional[int] = None

    @property
    def nullable(self) -> bool:
        return "null" in self.json_types

    @property
    def value_type(self) -> str:
        """The one non-null JSON type of the property."""
        return next(t for t in self.json_types if t != "null")

    @property
    def is_instant(self) -> bool:
        return self.value_type == "string" and self.pattern == ISO_INSTANT_PATTERN

    @property
    def curated_type(self) -> str:
        """The column type in the curated table, in Hive/Athena DDL terms."""
        kind = self.value_type
        if kind == "string":
            return "timestamp" if self.is_instant else "string"
        if kind == "integer":
            fits_int = self.maximum is not None and self.maximum <= INT32_MAX and (self.minimum is None or self.minimum >= -INT32_MAX - 1)
            return "int" if fits_int else "bigint"
        return "map<string,string>"

    @property
    def raw_type(self) -> str:
        """The column type in the raw JSON table: instants stay strings, as written."""
        return "string" if self.is_instant else self.curated_type


@dataclass(frozen=True)
class RecordRules:
    fields: tuple[FieldRule, ...]
    additional_properties: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldRule:
        for rule in self.fields:
            if rule.name == name:
                return rule
        raise KeyError(name)


def load_record_schema() -> dict[str, Any]:
    """The schema document: the copy bundled into the job's zip, else the repository's."""
    try:
        data = pkgutil.get_data(__package__ or "log_etl", BUNDLED_SCHEMA_NAME)
    except (FileNotFoundError, OSError):
        data = None
    if data is None:
        if not REPO_SCHEMA_PATH.is_file():
            raise FileNotFoundError(
                f"record schema not found: neither bundled as {__package__}/{BUNDLED_SCHEMA_NAME} nor at {REPO_SCHEMA_PATH}"
            )
        data = REPO_SCHEMA_PATH.read_bytes()
    return json.loads(data)


def compile_rules(schema: dict[str, Any]) -> RecordRules:
    """Turns the schema document into field rules, rejecting any keyword the transform would ignore."""
    unknown = set(schema) - SUPPORTED_ROOT_KEYWORDS
    if unknown:
        raise UnsupportedSchemaError(f"schema keywords {sorted(unknown)} are not enforced by the Glue transform")
    if schema.get("type") != "object":
        raise UnsupportedSchemaError(f"schema type must be 'object' (got {schema.get('type')!r})")
    additional = schema.get("additionalProperties", True)
    if not isinstance(additional, bool):
        raise UnsupportedSchemaError("root additionalProperties must be true or false")
    required = set(schema.get("required", []))
    properties: dict[str, Any] = schema.get("properties", {})
    missing = required - set(properties)
    if missing:
        raise UnsupportedSchemaError(f"required properties {sorted(missing)} have no definition")

    fields = []
    for name, definition in properties.items():
        unknown = set(definition) - SUPPORTED_PROPERTY_KEYWORDS
        if unknown:
            raise UnsupportedSchemaError(f"property {name!r}: keywords {sorted(unknown)} are not enforced by the Glue transform")
        types = definition.get("type")
        json_types = tuple([types] if isinstance(types, str) else types or [])
        non_null = [t for t in json_types if t != "null"]
        if len(non_null) != 1 or not set(json_types) <= SUPPORTED_TYPES:
            raise UnsupportedSchemaError(f"property {name!r}: type must be one of {sorted(SUPPORTED_TYPES - {'null'})}, optionally with null (got {types!r})")
        kind = non_null[0]
        if kind == "object":
            values = definition.get("additionalProperties")
            if values != {"type": "string"}:
                raise UnsupportedSchemaError(f"property {name!r}: objects must be string maps (additionalProperties: {{type: string}})")
        elif "additionalProperties" in definition:
            raise UnsupportedSchemaError(f"property {name!r}: additionalProperties only applies to objects")
        if kind != "string" and ("pattern" in definition or "enum" in definition):
            raise UnsupportedSchemaError(f"property {name!r}: pattern and enum are only enforced on strings")
        if kind != "integer" and ("minimum" in definition or "maximum" in definition):
            raise UnsupportedSchemaError(f"property {name!r}: minimum and maximum are only enforced on integers")
        enum = definition.get("enum")
        fields.append(
            FieldRule(
                name=name,
                json_types=json_types,
                required=name in required,
                enum=tuple(enum) if enum is not None else None,
                pattern=definition.get("pattern"),
                minimum=definition.get("minimum"),
                maximum=definition.get("maximum"),
            )
        )
    return RecordRules(fields=tuple(fields), additional_properties=additional)


# A custom format's name as lambda/shared/parsers/custom-format.ts allows it (CUSTOM_FORMAT_NAME).
CUSTOM_FORMAT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def with_custom_formats(rules: RecordRules, names: Iterable[str]) -> RecordRules:
    """The rules with `format` accepting exactly these custom format names besides the schema's built-ins.

    The stage's custom formats (config `formats`) reach the job as --custom_formats: the schema file lists
    only the built-ins, so every stage's job accepts its own names and no others.
    """
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not CUSTOM_FORMAT_NAME.match(name):
            raise ValueError(f"custom format name {name!r} must be lower case letters, digits and '_', starting with a letter")
    current = rules.field("format")
    if current.enum is None:
        raise UnsupportedSchemaError("the schema's 'format' has no enum to extend with custom formats")
    clashes = sorted(set(names) & set(current.enum))
    if clashes:
        raise ValueError(f"custom format names {clashes} are built-in formats")
    extended = replace(current, enum=current.enum + tuple(dict.fromkeys(names)))
    return replace(rules, fields=tuple(extended if rule.name == "format" else rule for rule in rules.fields))


def parse_custom_formats(argument: str) -> tuple[str, ...]:
    """The --custom_formats job argument: a JSON array of names ('[]' for none)."""
    names = json.loads(argument)
    if not isinstance(names, list):
        raise ValueError(f"--custom_formats must be a JSON array of names (got {argument!r})")
    return tuple(names)


def record_rules(custom_formats: Iterable[str] = ()) -> RecordRules:
    """The schema's rules, `format` extended with the stage's custom format names."""
    rules = compile_rules(load_record_schema())
    names = tuple(custom_formats)
    return with_custom_formats(rules, names) if names else rules
