"""Curated partition registration against moto's Glue Data Catalog (real API shapes, no AWS account)."""

from __future__ import annotations

import pytest

try:
    import boto3
    from moto import mock_aws
except ImportError as error:  # fail, never skip: the environment script installs both
    raise ImportError(f"{error}: install the test environment with: bash scripts/python-env.sh") from error

from log_etl.catalog import PartitionRegistrationError, partition_inputs, register_partitions

CURATED_URI = "s3://lake-bucket/curated/"
PARQUET_SD = {
    "Columns": [{"Name": "event_id", "Type": "string"}, {"Name": "status", "Type": "int"}],
    "Location": CURATED_URI,
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    "Compressed": True,
}


@pytest.fixture()
def glue():
    with mock_aws():
        client = boto3.client("glue", region_name="eu-west-1")
        client.create_database(DatabaseInput={"Name": "logs"})
        client.create_table(
            DatabaseName="logs",
            TableInput={
                "Name": "curated",
                "StorageDescriptor": PARQUET_SD,
                "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "hour", "Type": "string"}, {"Name": "source", "Type": "string"}],
                "TableType": "EXTERNAL_TABLE",
            },
        )
        yield client


def partitions_of(client):
    pages = client.get_paginator("get_partitions").paginate(DatabaseName="logs", TableName="curated")
    return {tuple(p["Values"]): p["StorageDescriptor"] for page in pages for p in page["Partitions"]}


def test_new_partitions_are_registered_with_the_table_storage(glue):
    created = register_partitions(glue, "logs", "curated", CURATED_URI, [("2026-11-24", "23", "kinesis"), ("2026-11-25", "00", "kafka")])
    assert created == 2
    stored = partitions_of(glue)
    assert set(stored) == {("2026-11-24", "23", "kinesis"), ("2026-11-25", "00", "kafka")}
    descriptor = stored[("2026-11-24", "23", "kinesis")]
    assert descriptor["Location"] == "s3://lake-bucket/curated/dt=2026-11-24/hour=23/source=kinesis/"
    assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert descriptor["Columns"] == PARQUET_SD["Columns"]


def test_registering_again_is_a_no_op(glue):
    register_partitions(glue, "logs", "curated", CURATED_URI, [("2026-11-24", "05", "kinesis")])
    created = register_partitions(glue, "logs", "curated", CURATED_URI, [("2026-11-24", "05", "kinesis"), ("2026-11-24", "06", "kinesis")])
    assert created == 1
    assert len(partitions_of(glue)) == 2


def test_more_than_one_batch_of_partitions(glue):
    partitions = [(f"2026-{m:02d}-{d:02d}", "13", s) for m in (1, 2, 3) for d in range(1, 29) for s in ("kinesis", "kafka")]
    assert register_partitions(glue, "logs", "curated", CURATED_URI, partitions) == len(partitions) == 168
    assert len(partitions_of(glue)) == 168


def test_nothing_to_register_makes_no_call(glue):
    assert register_partitions(glue, "logs", "missing-table", CURATED_URI, []) == 0


def test_a_table_with_other_partition_keys_is_refused():
    with pytest.raises(PartitionRegistrationError, match="must be partitioned by dt, hour, source"):
        partition_inputs({"Name": "t", "PartitionKeys": [{"Name": "dt"}, {"Name": "source"}], "StorageDescriptor": PARQUET_SD}, CURATED_URI, [("a", "b", "c")])
