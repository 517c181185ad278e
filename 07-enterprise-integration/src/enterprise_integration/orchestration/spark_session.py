"""The SparkSession a task runs with: the one already running in the process (a Databricks
cluster's, a test's), or a local one with Delta configured.

Example::

    spark = spark_for_task("manufacturing_etl")
"""
from __future__ import annotations

from pyspark.sql import SparkSession


def spark_for_task(app_name: str) -> SparkSession:
    """Return the process's SparkSession, creating a local Delta-enabled one only when none exists."""
    from delta import configure_spark_with_delta_pip

    builder = (
        SparkSession.builder.appName(app_name)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
    )
    return configure_spark_with_delta_pip(builder).getOrCreate()
