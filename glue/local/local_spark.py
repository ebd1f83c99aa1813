"""A local SparkSession set up as the Glue job's runtime is where it matters: UTC session time zone (the
`dt` partition is the event's UTC date), quiet logs, no UI. Shared by the tests, `npm run local` and the
benchmark, so the three run the transform under the same settings; never shipped to Glue.
"""

from __future__ import annotations


def local_spark(app_name: str, master: str = "local[*]", shuffle_partitions: int = 8, **conf: str):
    """Returns a new or the running local SparkSession; `conf` adds Spark settings (dots as in Spark)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
