"""Manufacturing ETL, one run per day: wait for the day's sensor files, then bronze -> silver -> gold.

Each task replaces only its logical date's partition, so a rerun or a backfill of a date
(``airflow backfill create --dag-id manufacturing_etl --from-date ... --to-date ...``) gives the
same tables. The lake root comes from the ``lake_root`` param (default: env PLANT_LAKE_ROOT).
"""
from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task

from enterprise_integration.orchestration import (
    LakePaths,
    aggregate_gold,
    build_silver,
    ingest_bronze,
    sensor_files_arrived,
    spark_for_task,
)

LAKE_ROOT_HELP = "folder or URI of the lake (tables under bronze/, silver/, gold/); empty fails the first task"

DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,  # 1, 2, 4 minutes (with jitter), capped below
    "max_retry_delay": timedelta(minutes=15),
    "execution_timeout": timedelta(minutes=30),
}

with DAG(
    dag_id="manufacturing_etl",
    description="Sensor readings: landing JSON -> bronze -> silver (+ quarantine) -> hourly gold",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=4,  # dates are independent: backfills may run several at once
    default_args=DEFAULT_ARGS,
    params={"lake_root": Param(os.environ.get("PLANT_LAKE_ROOT", ""), type="string", description=LAKE_ROOT_HELP)},
    tags=["manufacturing", "etl"],
) as dag:

    @task.sensor(poke_interval=300, timeout=timedelta(hours=6).total_seconds(), mode="reschedule")
    def wait_for_sensor_files(params=None, logical_date=None) -> bool:
        """Succeed once the day's landing folder has its _SUCCESS marker (poke every 5 min, give up after 6 h)."""
        return sensor_files_arrived(LakePaths(params["lake_root"]).landing, logical_date.date())

    @task
    def bronze(params=None, logical_date=None) -> int:
        paths = LakePaths(params["lake_root"])
        return ingest_bronze(spark_for_task("manufacturing_etl"), paths.landing, paths.bronze, logical_date.date())

    @task
    def silver(params=None, logical_date=None) -> dict[str, int]:
        paths = LakePaths(params["lake_root"])
        counts = build_silver(
            spark_for_task("manufacturing_etl"), paths.bronze, paths.silver, paths.silver_quarantine,
            logical_date.date(),
        )
        return {"rows_in": counts.rows_in, "rows_written": counts.rows_written,
                "rows_quarantined": counts.rows_quarantined}

    @task
    def gold(params=None, logical_date=None) -> int:
        paths = LakePaths(params["lake_root"])
        return aggregate_gold(spark_for_task("manufacturing_etl"), paths.silver, paths.gold, logical_date.date())

    wait_for_sensor_files() >> bronze() >> silver() >> gold()
