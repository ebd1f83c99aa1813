"""Glue 5.0 entry script: raw GZIP JSON lines → curated Parquet + quarantine, then the catalog.

Thin on purpose: job arguments, GlueContext, the job bookmark and the catalog client live here; everything
that touches rows is in the log_etl package (shipped with --extra-py-files) and tested on plain Spark.

Run by hand: aws glue start-job-run --job-name <LogEtlJobName output>
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from log_etl.batch import BatchResult, run_batch
from log_etl.catalog import register_partitions
from log_etl.record_schema import parse_custom_formats, record_rules
from log_etl.run_metrics import publish_or_warn

# lib/constructs/analytics/glue-etl.ts passes these as default arguments (a CDK test keeps the two lists equal).
# custom_formats: a JSON array of the stage's custom format names, accepted as `format` (record_schema.with_custom_formats).
JOB_ARGUMENTS = ["JOB_NAME", "raw_path", "curated_path", "quarantine_path", "database", "curated_table", "custom_formats"]
BOOKMARK_CONTEXT = "raw_objects"
FILE_COLUMN = "raw_object"


def new_raw_objects(glue_context: GlueContext, raw_path: str) -> list[str]:
    """The raw objects the job bookmark has not seen yet.

    Glue bookmarks only work through DynamicFrame sources, and a DynamicFrame JSON read would infer one
    type per field across the batch, losing per-row types (200 vs "200") that validation needs. So the
    bookmarked source is used to learn which objects are new, read as CSV with quoting off (any line
    parses, nothing is interpreted), and validate() then reads those objects line by line on plain Spark.
    """
    discovered = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [raw_path], "recurse": True, "attachFilename": FILE_COLUMN},
        format="csv",
        format_options={"withHeader": False, "quoteChar": -1},
        transformation_ctx=BOOKMARK_CONTEXT,
    )
    frame = discovered.toDF()
    if FILE_COLUMN not in frame.columns:
        if frame.rdd.isEmpty():
            return []
        raise RuntimeError(f"the bookmarked source returned no '{FILE_COLUMN}' column (columns: {frame.columns})")
    return sorted(row[FILE_COLUMN] for row in frame.select(FILE_COLUMN).distinct().collect())


def log(event: str, **fields) -> None:
    # One JSON object per line, so CloudWatch Logs Insights can filter on the fields.
    print(json.dumps({"event": event, **fields}), flush=True)


def main() -> None:
    args = getResolvedOptions(sys.argv, JOB_ARGUMENTS)
    started = datetime.now(timezone.utc)
    run_date = started.strftime("%Y-%m-%d")
    # Glue passes --JOB_RUN_ID to every run; a run started some other way is named by its start time.
    run_id = getResolvedOptions(sys.argv, ["JOB_RUN_ID"])["JOB_RUN_ID"] if "--JOB_RUN_ID" in sys.argv else started.strftime("%H%M%S")
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    # Timestamps are instants in UTC; Parquet stores them as such whatever the cluster's zone.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    objects = new_raw_objects(glue_context, args["raw_path"])
    if not objects:
        log("no_new_raw_objects", raw_path=args["raw_path"])
        # Zeros still count: the dashboard shows that the run happened and read nothing.
        publish_or_warn(args["JOB_NAME"], BatchResult(raw_lines=0, curated_rows=0, quarantined_rows=0, duplicates_dropped=0).as_dict(), log)
        job.commit()
        return

    result = run_batch(
        spark,
        objects,
        curated_uri=args["curated_path"],
        quarantine_uri=f"{args['quarantine_path'].rstrip('/')}/dt={run_date}/run={run_id}/",
        rules=record_rules(parse_custom_formats(args["custom_formats"])),
    )
    created = register_partitions(boto3.client("glue"), args["database"], args["curated_table"], args["curated_path"], result.partitions)
    log("run_complete", raw_objects=len(objects), partitions_registered=created, **result.as_dict())
    # After the data and the catalog, before the bookmark: a CloudWatch failure is a warning, never the run's failure.
    publish_or_warn(args["JOB_NAME"], result.as_dict(), log)
    # The bookmark advances only after the data and the catalog are in place: a failed run re-reads its objects.
    job.commit()


if __name__ == "__main__":
    main()
