"""Registers the curated partitions a run wrote in the Glue Data Catalog.

Athena finds the curated partitions by projection (contracts/lake-layout.ts curatedTableProjection) and ignores
registered ones ("Partition projection with Amazon Athena"). The job still adds exactly the partitions it
wrote, for the catalog's other readers, which use the registered partitions only (Athena for Spark, Amazon
EMR, Redshift Spectrum, a Glue job reading the table), and for events outside the projected date range.
Partitions copy the table's storage descriptor (columns, Parquet SerDe) with their own location.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .lake_io import partition_path
from .transform import PARTITION_COLUMNS

BATCH_CREATE_LIMIT = 100  # BatchCreatePartition accepts at most 100 partitions per call


class PartitionRegistrationError(RuntimeError):
    """Glue refused partitions for a reason other than that they already exist."""


def partition_inputs(table: dict[str, Any], curated_uri: str, partitions: Iterable[Sequence[str]]) -> list[dict[str, Any]]:
    """PartitionInput structures for (dt, hour, source) partitions, in the order of the table's partition keys."""
    keys = [key["Name"] for key in table.get("PartitionKeys", [])]
    if keys != list(PARTITION_COLUMNS):
        raise PartitionRegistrationError(f"table {table.get('Name')} must be partitioned by {', '.join(PARTITION_COLUMNS)} (got {keys})")
    descriptor = table["StorageDescriptor"]
    inputs = []
    for partition in sorted(set(tuple(p) for p in partitions)):
        inputs.append(
            {
                "Values": list(partition),
                "StorageDescriptor": {
                    "Columns": descriptor["Columns"],
                    "Location": partition_path(curated_uri, partition),
                    "InputFormat": descriptor.get("InputFormat"),
                    "OutputFormat": descriptor.get("OutputFormat"),
                    "SerdeInfo": descriptor.get("SerdeInfo", {}),
                    "Compressed": descriptor.get("Compressed", False),
                },
            }
        )
    return inputs


def register_partitions(glue_client: Any, database: str, table_name: str, curated_uri: str, partitions: Sequence[Sequence[str]]) -> int:
    """Adds the partitions that are not in the catalog yet; returns how many were new."""
    if not partitions:
        return 0
    table = glue_client.get_table(DatabaseName=database, Name=table_name)["Table"]
    inputs = partition_inputs(table, curated_uri, partitions)
    created = 0
    for start in range(0, len(inputs), BATCH_CREATE_LIMIT):
        batch = inputs[start : start + BATCH_CREATE_LIMIT]
        errors = glue_client.batch_create_partition(DatabaseName=database, TableName=table_name, PartitionInputList=batch).get("Errors", [])
        failures = [e for e in errors if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"]
        if failures:
            details = "; ".join(f"{e.get('PartitionValues')}: {e['ErrorDetail'].get('ErrorCode')} {e['ErrorDetail'].get('ErrorMessage')}" for e in failures)
            raise PartitionRegistrationError(f"Glue rejected partitions of {database}.{table_name}: {details}")
        created += len(batch) - len(errors)
    return created
