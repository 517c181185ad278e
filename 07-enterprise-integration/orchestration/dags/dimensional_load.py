"""Dimensional load, one run per day after the ETL: wait for the day's silver partition, load the
machine dimension (SCD type 2), then the hourly fact keyed by the dimension row valid that day.

SCD2 history depends on the order of dates, so the dimension task has ``depends_on_past`` and the
DAG runs one date at a time; the fact replaces only its date's partition. The sensor waits on the
data (the silver partition), not on the other DAG's task state, so a rerun of the ETL or a manual
load satisfies it the same way.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task

from enterprise_integration.orchestration import (
    LakePaths,
    load_machine_dimension,
    load_machine_hourly_fact,
    partition_has_rows,
    spark_for_task,
)

LAKE_ROOT_HELP = "folder or URI of the lake (tables under bronze/, silver/, gold/); empty fails the first task"

DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "execution_timeout": timedelta(minutes=45),
}

with DAG(
    dag_id="dimensional_load",
    description="dim_machine (SCD2) then fact_machine_hourly, for the day the ETL produced",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # SCD2 rows must be applied in date order
    default_args=DEFAULT_ARGS,
    params={"lake_root": Param(os.environ.get("PLANT_LAKE_ROOT", ""), type="string", description=LAKE_ROOT_HELP)},
    tags=["manufacturing", "dimensional"],
) as dag:

    @task.sensor(poke_interval=300, timeout=timedelta(hours=8).total_seconds(), mode="reschedule")
    def wait_for_silver(params=None, logical_date=None) -> bool:
        """Succeed once silver holds rows for the day (and gold was built from them upstream)."""
        paths = LakePaths(params["lake_root"])
        spark = spark_for_task("dimensional_load")
        day = logical_date.date()
        return partition_has_rows(spark, paths.silver, day) and partition_has_rows(spark, paths.gold, day)

    @task(depends_on_past=True)
    def machine_dimension(params=None, logical_date=None) -> int:
        paths = LakePaths(params["lake_root"])
        return load_machine_dimension(
            spark_for_task("dimensional_load"), paths.machines_landing, paths.dim_machine, logical_date.date()
        )

    @task
    def machine_hourly_fact(params=None, logical_date=None) -> int:
        paths = LakePaths(params["lake_root"])
        return load_machine_hourly_fact(
            spark_for_task("dimensional_load"), paths.gold, paths.dim_machine, paths.fact_machine_hourly,
            logical_date.date(),
        )

    wait_for_silver() >> machine_dimension() >> machine_hourly_fact()
