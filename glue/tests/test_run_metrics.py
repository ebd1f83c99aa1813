"""The run's counts as CloudWatch metrics: what a run publishes to moto's CloudWatch equals what it wrote, and a
CloudWatch that cannot be reached costs a warning, not the run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

try:
    import boto3
    from botocore.config import Config
    from moto import mock_aws
except ImportError as error:  # fail, never skip: the environment script installs both
    raise ImportError(f"{error}: install the test environment with: bash scripts/python-env.sh") from error

from log_etl.batch import BatchResult
from log_etl.run_metrics import METRICS_FILE_NAME, metric_data, publish_or_warn, publish_run_metrics, read_run_metrics, run_metric_names
from tests.raw_records import make_records, to_line
from tests.test_lake_io import firehose_batches, run_job_steps

JOB = "log-etl-test"
NAMES = run_metric_names()


def test_every_metric_names_a_count_the_run_has():
    counts = BatchResult(raw_lines=5, curated_rows=3, quarantined_rows=1, duplicates_dropped=1).as_dict()
    assert set(NAMES.metrics) <= set(counts)
    assert set(NAMES.metrics.values()) == {"RawLines", "CuratedRows", "QuarantinedRows", "DuplicatesDropped"}
    # The namespace is the job's own: the role may publish there and in Glue's, nowhere else (lib/constructs/analytics/glue-etl.ts).
    assert not NAMES.namespace.startswith("AWS/") and NAMES.namespace != "Glue"


def test_the_names_come_from_the_file_the_cdk_app_reads():
    shared = json.loads((Path(__file__).resolve().parents[2] / "contracts" / METRICS_FILE_NAME).read_text())
    assert (NAMES.namespace, NAMES.dimension, dict(NAMES.metrics)) == (shared["namespace"], shared["dimension"], shared["metrics"])


def _names_from_a_bundle(tmp_path: Path, bundled: dict | None) -> subprocess.CompletedProcess:
    """Loads the names in a fresh interpreter from a zip laid out as the job's --extra-py-files (log_etl/ at its
    root), with or without the bundled file, and outside the repository (no contracts/ above it)."""
    library = Path(__file__).resolve().parents[1] / "log_etl"
    bundle = tmp_path / "job" / "library.zip"
    bundle.parent.mkdir()
    with zipfile.ZipFile(bundle, "w") as archive:
        for module in library.glob("*.py"):
            archive.write(module, f"log_etl/{module.name}")
        if bundled is not None:
            archive.writestr(f"log_etl/{METRICS_FILE_NAME}", json.dumps(bundled))
    script = "from log_etl.run_metrics import run_metric_names; n = run_metric_names(); print(n.namespace, n.metrics['raw_lines'])"
    environment = {**os.environ, "PYTHONPATH": str(bundle)}
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True)


def test_the_deployed_bundle_reads_the_copy_bundled_beside_the_module(tmp_path):
    bundled = {"namespace": "Bundled/Copy", "dimension": "JobName", "metrics": {"raw_lines": "BundledRawLines"}}
    result = _names_from_a_bundle(tmp_path, bundled)
    assert (result.returncode, result.stdout.strip()) == (0, "Bundled/Copy BundledRawLines"), result.stderr


def test_a_bundle_without_the_names_fails_saying_where_it_looked(tmp_path):
    result = _names_from_a_bundle(tmp_path, None)
    assert result.returncode != 0
    assert f"neither bundled as log_etl/{METRICS_FILE_NAME} nor at" in result.stderr


def test_a_count_the_run_lacks_is_an_error_not_a_zero():
    with pytest.raises(KeyError, match="curated_rows"):
        metric_data({"raw_lines": 1, "quarantined_rows": 0, "duplicates_dropped": 0}, JOB, NAMES, datetime.now(timezone.utc))


def test_published_counts_equal_the_rows_in_the_curated_and_quarantine_output(spark, rules, tmp_path):
    lake = tmp_path / "lake"
    records = make_records(120)
    repeated = [to_line(r) for r in records[:7]]  # delivered twice: same event ids
    bad = ['{"event_id": "short"}', "not json at all", '{"source": "kinesis"}']
    files = firehose_batches(lake, records, bad_lines=repeated + bad)
    result = run_job_steps(spark, rules, lake, files)

    curated_rows = spark.read.parquet((lake / "curated").as_uri()).count()
    quarantine_rows = spark.read.option("recursiveFileLookup", "true").text((lake / "quarantine").as_uri()).count()
    assert (curated_rows, quarantine_rows) == (120, 3)

    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        since = datetime.now(timezone.utc) - timedelta(minutes=1)
        assert publish_run_metrics(cloudwatch, result.as_dict(), JOB) is None
        listed = cloudwatch.list_metrics(Namespace=NAMES.namespace)["Metrics"]
        assert sorted(m["MetricName"] for m in listed) == sorted(NAMES.metrics.values())
        assert all(m["Dimensions"] == [{"Name": NAMES.dimension, "Value": JOB}] for m in listed)
        assert read_run_metrics(cloudwatch, NAMES, JOB, since) == {
            NAMES.metrics["raw_lines"]: 130.0,
            NAMES.metrics["curated_rows"]: float(curated_rows),
            NAMES.metrics["quarantined_rows"]: float(quarantine_rows),
            NAMES.metrics["duplicates_dropped"]: 7.0,
        }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_cloudwatch_is_reported_not_raised():
    cloudwatch = boto3.client(
        "cloudwatch",
        region_name="eu-west-1",
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    counts = BatchResult(raw_lines=1, curated_rows=1, quarantined_rows=0, duplicates_dropped=0).as_dict()
    problem = publish_run_metrics(cloudwatch, counts, JOB)
    assert problem is not None and "EndpointConnectionError" in problem


def test_a_refused_put_is_reported_not_raised():
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        # CloudWatch rejects a NaN value (InvalidParameterValue): a ClientError, as AccessDenied would be.
        counts = {"raw_lines": float("nan"), "curated_rows": 0, "quarantined_rows": 0, "duplicates_dropped": 0}
        problem = publish_run_metrics(cloudwatch, counts, JOB)
    assert problem is not None and "InvalidParameterValue" in problem


def test_a_put_botocore_refuses_before_sending_is_reported_not_raised():
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        counts = BatchResult(raw_lines=1, curated_rows=1, quarantined_rows=0, duplicates_dropped=0).as_dict()
        problem = publish_run_metrics(cloudwatch, counts, job_name="")  # a dimension value must not be empty
    assert problem is not None and problem.startswith("ParamValidationError")


class LogLines:
    """Stands in for the job's log(): keeps each event it would print."""

    def __init__(self):
        self.events: list[dict] = []

    def __call__(self, event: str, **fields):
        self.events.append({"event": event, **fields})


def test_the_job_path_publishes_with_its_own_client_and_logs_nothing(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    log = LogLines()
    counts = BatchResult(raw_lines=4, curated_rows=3, quarantined_rows=1, duplicates_dropped=0).as_dict()
    with mock_aws():
        since = datetime.now(timezone.utc) - timedelta(minutes=1)
        assert publish_or_warn(JOB, counts, log) is True
        published = read_run_metrics(boto3.client("cloudwatch", region_name="eu-west-1"), NAMES, JOB, since)
        assert published[NAMES.metrics["quarantined_rows"]] == 1.0
    assert log.events == []


def test_the_job_path_logs_a_warning_when_cloudwatch_cannot_be_reached(monkeypatch):
    # The client the job builds itself (its short timeouts, few retries), pointed at a port nobody listens on.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", f"http://127.0.0.1:{closed_port()}")
    log = LogLines()
    counts = BatchResult(raw_lines=1, curated_rows=1, quarantined_rows=0, duplicates_dropped=0).as_dict()
    assert publish_or_warn(JOB, counts, log) is False
    [warning] = log.events
    assert (warning["event"], warning["level"], warning["job_name"]) == ("run_metrics_not_published", "WARNING", JOB)
    assert "EndpointConnectionError" in warning["error"]


def test_the_job_path_logs_a_warning_when_no_client_can_be_built(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    log = LogLines()
    counts = BatchResult(raw_lines=0, curated_rows=0, quarantined_rows=0, duplicates_dropped=0).as_dict()
    assert publish_or_warn(JOB, counts, log) is False
    assert log.events[0]["error"].startswith("NoRegionError")
