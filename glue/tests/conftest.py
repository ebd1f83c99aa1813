"""Shared fixtures: one local SparkSession for the whole run, configured for small data on few cores.

A missing prerequisite fails the tests with the command that installs it; nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GLUE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = GLUE_DIR.parent
# The job's package (log_etl) and the local tools (glue/local: local_spark, athena_local).
for _path in (GLUE_DIR, GLUE_DIR / "local"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

INSTALL_PYTHON = "bash scripts/python-env.sh (creates .venv with the pinned pyspark, pytest, jsonschema, moto)"
INSTALL_JAVA = "bash scripts/check-java.sh, or on Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless"


def java_problem() -> str | None:
    """Why no usable JVM is available for pyspark, or None when one is."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        return f"Java was not found (JAVA_HOME unset and no `java` on PATH); pyspark needs Java 17. Install it: {INSTALL_JAVA}"
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except OSError as error:
        return f"`{java} -version` failed ({error}); install Java 17: {INSTALL_JAVA}"
    if out.returncode != 0:
        return f"`{java} -version` exited {out.returncode}: {out.stderr.strip()}; install Java 17: {INSTALL_JAVA}"
    return None


@pytest.fixture(scope="session")
def spark():
    try:
        from local_spark import local_spark
        import pyspark  # noqa: F401
    except ImportError as error:
        pytest.fail(f"pyspark is not importable ({error}). Install it: {INSTALL_PYTHON}", pytrace=False)
    problem = java_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    session = local_spark(
        "log-etl-tests",
        master="local[2]",
        shuffle_partitions=4,
        **{
            "spark.default.parallelism": "4",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.warehouse.dir": str(Path(os.environ.get("TMPDIR", "/tmp")) / "log-etl-spark-warehouse"),
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def rules():
    from log_etl.record_schema import record_rules

    return record_rules()


@pytest.fixture(scope="session")
def record_schema():
    import json

    return json.loads((REPO_ROOT / "schema" / "log-record.schema.json").read_text())

