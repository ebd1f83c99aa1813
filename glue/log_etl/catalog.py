"""Registers the curated partitions a run wrote in the Glue Data Catalog.

The curated table is partitioned by event date, which can fall anywhere (late or replayed events), so it
is not projected like the raw table: the job adds exactly the partitions it wrote. Partitions copy the
table's storage descriptor (columns, Parquet SerDe) with their own location.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

BATCH_CREATE_LIMIT = 100  # BatchCreatePartition accepts at most 100 partitions per call


class PartitionRegistrationError(RuntimeError):
    """Glue refused partitions for a reason other than that they already exist."""


def partition_inputs(table: dict[str, Any], curated_uri: str, partitions: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """PartitionInput structures for (dt, source) pairs, in the order of the table's partition keys."""
    keys = [key["Name"] for key in table.get("PartitionKeys", [])]
    if keys != ["dt", "source"]:
        raise PartitionRegistrationError(f"table {table.get('Name')} must be partitioned by dt, source (got {keys})")
    descriptor = table["StorageDescriptor"]
    base = curated_uri.rstrip("/")
    inputs = []
    for dt, source in sorted(set(partitions)):
        inputs.append(
            {
                "Values": [dt, source],
                "StorageDescriptor": {
                    "Columns": descriptor["Columns"],
                    "Location": f"{base}/dt={dt}/source={source}/",
                    "InputFormat": descriptor.get("InputFormat"),
                    "OutputFormat": descriptor.get("OutputFormat"),
                    "SerdeInfo": descriptor.get("SerdeInfo", {}),
                    "Compressed": descriptor.get("Compressed", False),
                },
            }
        )
    return inputs


def register_partitions(glue_client: Any, database: str, table_name: str, curated_uri: str, partitions: Sequence[tuple[str, str]]) -> int:
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
