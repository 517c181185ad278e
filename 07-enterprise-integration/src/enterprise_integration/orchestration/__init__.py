"""Task callables for the Airflow DAGs in ``orchestration/dags``: each step takes a SparkSession,
table paths and the run's logical date, and replaces only that date's partition.

Example::

    from enterprise_integration.orchestration import LakePaths, ingest_bronze, spark_for_task

    paths = LakePaths("/lake")
    ingest_bronze(spark_for_task("etl"), paths.landing, paths.bronze, date(2026, 12, 3))
"""
from enterprise_integration.orchestration.dimensional_load import (
    DIM_MACHINE_SCHEMA,
    load_machine_dimension,
    load_machine_hourly_fact,
)
from enterprise_integration.orchestration.plant_etl import (
    READING_SCHEMA,
    LakePaths,
    SilverCounts,
    aggregate_gold,
    build_silver,
    ingest_bronze,
    landing_partition,
    partition_has_rows,
    sensor_files_arrived,
)
from enterprise_integration.orchestration.spark_session import spark_for_task

__all__ = [
    "DIM_MACHINE_SCHEMA",
    "READING_SCHEMA",
    "LakePaths",
    "SilverCounts",
    "aggregate_gold",
    "build_silver",
    "ingest_bronze",
    "landing_partition",
    "load_machine_dimension",
    "load_machine_hourly_fact",
    "partition_has_rows",
    "sensor_files_arrived",
    "spark_for_task",
]
