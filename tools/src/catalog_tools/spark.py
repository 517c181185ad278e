"""One function that returns a SparkSession ready for Delta Lake and Spark's Kafka source.

Example::

    >>> spark = local_spark(tmp_path)  # doctest: +SKIP
    >>> spark.range(3).write.format("delta").save(str(tmp_path / "numbers"))  # doctest: +SKIP
"""
from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import SparkSession

from catalog_tools.jars import jar_files

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
# Hadoop's local file system forks `chmod` for every file it creates and `readlink` twice per rename
# when the native libhadoop is absent (pip's pyspark ships none): about 5 ms each, dozens per Delta
# commit and streaming micro-batch. tools/jvm/local-fs answers both with java.nio instead.
NO_FORK_LOCAL_FS = {
    "spark.hadoop.fs.file.impl": "io.github.iotcatalog.localfs.NoForkLocalFileSystem",
    "spark.hadoop.fs.AbstractFileSystem.file.impl": "io.github.iotcatalog.localfs.NoForkLocalFs",
}

CODEGEN_CACHE_ENTRIES = 1000


def running_on_databricks() -> bool:
    """True inside a Databricks runtime, where the cluster's session must be used as it is."""
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


def local_spark(
    base_dir: str | Path,
    app_name: str = "iot-catalog",
    ui: bool = False,
    shuffle_partitions: int = 2,
    cores: int = 2,
    extra_conf: dict[str, str] | None = None,
) -> SparkSession:
    """Return a local SparkSession with Delta and the Kafka source loaded from pre-resolved jars.

    All scratch state (warehouse, metastore, local dirs, checkpoints' default home) goes under
    ``base_dir``. No Ivy resolution happens: the jars come from ``make setup``. On Databricks,
    or when a session is already active, that session is returned untouched.

    Args:
        base_dir: folder for every file Spark writes that is not a table path you pass it.
        app_name: shown in the Spark UI and logs.
        ui: start the Spark UI (and its REST API) on a free port.
        shuffle_partitions: ``spark.sql.shuffle.partitions``; tiny for tests, raise for benchmarks.
        cores: local worker threads (``local[cores]``).
        extra_conf: further Spark settings, applied last.
    """
    active = SparkSession.getActiveSession()
    if active is not None or running_on_databricks():
        return active if active is not None else SparkSession.builder.getOrCreate()

    base = Path(base_dir).resolve()
    for sub in ("warehouse", "local", "checkpoints", "derby"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    conf = {
        "spark.jars": ",".join(str(jar) for jar in jar_files("spark")),
        # on the JVM's own classpath: spark-submit opens file: paths before spark.jars are loaded
        "spark.driver.extraClassPath": os.pathsep.join(str(jar) for jar in jar_files("local-fs")),
        **NO_FORK_LOCAL_FS,
        "spark.sql.extensions": DELTA_EXTENSION,
        "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(cores),
        "spark.databricks.delta.snapshotPartitions": str(max(1, shuffle_partitions)),
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.local.dir": str(base / "local"),
        "spark.sql.streaming.checkpointLocation": str(base / "checkpoints"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={base / 'derby'}",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": str(ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.memory": "2g",
        # Spark keeps 100 generated classes by default, fewer than one streaming micro-batch with its
        # Delta commit compiles (115 for the first silver batch): each batch evicted classes the next
        # one needed, so they were compiled and JIT-compiled again, every batch (ADR-008)
        "spark.sql.codegen.cache.maxEntries": str(CODEGEN_CACHE_ENTRIES),
    }
    conf.update(extra_conf or {})
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
