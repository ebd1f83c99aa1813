"""A run's counts (raw lines, curated, quarantined, duplicates dropped) as CloudWatch custom metrics.

The namespace, the dimension and the metric names live in contracts/glue-run-metrics.json, the one file the CDK
app reads too (contracts/glue-run-metrics.ts): the job role's PutMetricData condition, the dashboard and the
quarantine alarm name exactly what is published here. Publishing is best effort: the data is written and the
catalog updated before this runs, so a CloudWatch failure is reported to the caller, never raised.
"""

from __future__ import annotations

import json
import pkgutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Inside the job's --extra-py-files zip the file sits next to this module (CDK bundling copies it in);
# in the repository it lives in contracts/ at the root.
METRICS_FILE_NAME = "glue-run-metrics.json"
REPO_METRICS_PATH = Path(__file__).resolve().parents[2] / "contracts" / METRICS_FILE_NAME
# Short timeouts and few retries: a CloudWatch outage must not hold the run (its data is already written).
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 3})


@dataclass(frozen=True)
class RunMetricNames:
    namespace: str
    #: The dimension every datum carries; its value is the Glue job's name.
    dimension: str
    #: BatchResult field → CloudWatch metric name.
    metrics: Mapping[str, str]


def run_metric_names() -> RunMetricNames:
    """The names from glue-run-metrics.json: the copy bundled into the job's zip, else the repository's."""
    try:
        data = pkgutil.get_data(__package__ or "log_etl", METRICS_FILE_NAME)
    except (FileNotFoundError, OSError):
        data = None
    if data is None:
        if not REPO_METRICS_PATH.is_file():
            raise FileNotFoundError(
                f"run metric names not found: neither bundled as {__package__}/{METRICS_FILE_NAME} nor at {REPO_METRICS_PATH}"
            )
        data = REPO_METRICS_PATH.read_bytes()
    document = json.loads(data)
    return RunMetricNames(namespace=document["namespace"], dimension=document["dimension"], metrics=dict(document["metrics"]))


def metric_data(counts: Mapping[str, Any], job_name: str, names: RunMetricNames, timestamp: datetime) -> list[dict[str, Any]]:
    """One Count datum per metric, from a run's counts (BatchResult.as_dict()); a missing count is an error."""
    missing = sorted(set(names.metrics) - set(counts))
    if missing:
        raise KeyError(f"the run's counts have no {missing} (glue-run-metrics.json names them)")
    return [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": names.dimension, "Value": job_name}],
            "Timestamp": timestamp,
            "Value": float(counts[field]),
            "Unit": "Count",
        }
        for field, metric in names.metrics.items()
    ]


def publish_run_metrics(
    cloudwatch: Any,
    counts: Mapping[str, Any],
    job_name: str,
    names: Optional[RunMetricNames] = None,
    timestamp: Optional[datetime] = None,
) -> Optional[str]:
    """Puts the run's counts; returns None when CloudWatch took them, else why not (for a warning)."""
    names = names or run_metric_names()
    data = metric_data(counts, job_name, names, timestamp or datetime.now(timezone.utc))
    try:
        cloudwatch.put_metric_data(Namespace=names.namespace, MetricData=data)
    except (BotoCoreError, ClientError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def publish_or_warn(job_name: str, counts: Mapping[str, Any], log: Callable[..., None], cloudwatch: Any = None) -> bool:
    """What the job runs at the end of a run: publish, and log `run_metrics_not_published` (WARNING) if that fails."""
    try:
        if cloudwatch is None:
            import boto3

            cloudwatch = boto3.client("cloudwatch", config=CLIENT_CONFIG)
    except BotoCoreError as error:
        problem: Optional[str] = f"{type(error).__name__}: {error}"
    else:
        problem = publish_run_metrics(cloudwatch, counts, job_name)
    if problem:
        log("run_metrics_not_published", level="WARNING", job_name=job_name, error=problem)
        return False
    return True


def read_run_metrics(cloudwatch, names: RunMetricNames, job_name: str, since: datetime) -> dict[str, float]:
    """Sum of each run metric for `job_name` since `since`, as GetMetricData returns it (absent: not returned).

    Not used by the job: the local run and the tests read back what publish_run_metrics wrote."""
    queries = [
        {
            "Id": f"m{i}",
            "Label": metric,
            "MetricStat": {
                "Metric": {
                    "Namespace": names.namespace,
                    "MetricName": metric,
                    "Dimensions": [{"Name": names.dimension, "Value": job_name}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
        }
        for i, metric in enumerate(names.metrics.values())
    ]
    until = datetime.now(timezone.utc) + timedelta(minutes=1)
    results = cloudwatch.get_metric_data(MetricDataQueries=queries, StartTime=since, EndTime=until)["MetricDataResults"]
    return {r["Label"]: sum(r["Values"]) for r in results if r["Values"]}
