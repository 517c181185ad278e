"""The local "cluster" session ``run-local`` gives every task: local Spark with Delta Lake from a folder of jars.

On Databricks the cluster provides the session and the tasks take it with
``SparkSession.builder.getOrCreate()``. Here ``run-local`` plays the cluster: it builds one session
from the jars folder it is given (``--jars`` or ``IOT_SPARK_JARS``: Delta Lake, and Spark's Kafka
source for the streaming job) before the first task, and every task's ``getOrCreate()`` returns it.
A session that is already active (a test's) is used as it is.

Example::

    spark = local_delta_session(Path("../.jars/spark"))
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from databricks_bundle_deployment.findings import BundleError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

JARS_ENV = "IOT_SPARK_JARS"
DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


class SparkJarsNotFoundError(BundleError):
    """``run-local`` was given no jars folder, or one without Delta Lake's jar."""


def spark_jars(folder: str | Path | None) -> list[Path]:
    """The jars in ``folder`` (or ``$IOT_SPARK_JARS``); raises ``SparkJarsNotFoundError`` without a delta-spark jar."""
    configured = folder if folder is not None else os.environ.get(JARS_ENV)
    if not configured:
        raise SparkJarsNotFoundError(
            f"run-local: expected a folder of Spark jars with delta-spark (--jars or {JARS_ENV}), found neither set")
    jars = sorted(Path(configured).glob("*.jar"))
    if not any(jar.name.startswith("delta-spark") for jar in jars):
        raise SparkJarsNotFoundError(f"run-local: expected a delta-spark_*.jar in {str(configured)!r}, "
                                     f"found {[jar.name for jar in jars]}")
    return jars


def local_delta_session(jars_folder: str | Path | None, app_name: str = "run-local") -> SparkSession:
    """The active session if there is one, else a new local one with Delta Lake from ``jars_folder``'s jars."""
    from pyspark.sql import SparkSession  # the `local` extra: validate and deploy need no Spark

    jars = spark_jars(jars_folder)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    scratch = Path(tempfile.mkdtemp(prefix="run-local-spark-"))
    builder = (SparkSession.builder.master("local[2]").appName(app_name)
               .config("spark.jars", ",".join(str(jar) for jar in jars))
               .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={scratch / 'derby'}")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.showConsoleProgress", "false"))
    for key, value in DELTA_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
