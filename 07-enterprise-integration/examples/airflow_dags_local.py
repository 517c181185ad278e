"""Run both Airflow DAGs for one day on this machine: a temporary AIRFLOW_HOME with a SQLite
metadata database, one day of sensor readings and a machine snapshot in a temporary lake, then
``dag.test()`` for manufacturing_etl and dimensional_load, and the tables they left.

Run from the folder: ``python examples/airflow_dags_local.py [--date 2026-12-03]``
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from catalog_tools.spark import local_spark
from enterprise_integration.orchestration import LakePaths, landing_partition

DAGS_FOLDER = Path(__file__).resolve().parents[1] / "orchestration" / "dags"


def write_day(paths: LakePaths, day: date, firmware_m2: str) -> int:
    """One day of sensor readings (3 machines x 2 sensors x 4 hours) plus 3 bad rows, the machine
    snapshot, and the _SUCCESS marker the uploader writes last; returns the readings written."""
    start = datetime(day.year, day.month, day.day)
    readings = [
        {"machine_id": m, "sensor": s, "ts": (start + timedelta(hours=h, minutes=5)).isoformat(), "value": 20.0 + h}
        for m in ("M1", "M2", "M3") for s in ("temperature", "vibration") for h in range(4)
    ]
    readings += [
        dict(readings[0]),  # the same reading delivered twice
        {"machine_id": "M1", "sensor": "temperature", "ts": start.isoformat(), "value": None},  # no value
        {"machine_id": None, "sensor": "vibration", "ts": start.isoformat(), "value": 1.0},  # no machine
    ]
    landing = landing_partition(paths.landing, day)
    os.makedirs(landing)
    Path(landing, "readings-0001.json").write_text("\n".join(json.dumps(r) for r in readings))
    machines = landing_partition(paths.machines_landing, day)
    os.makedirs(machines)
    Path(machines, "machines.json").write_text("".join(
        json.dumps({"machine_id": machine, "line_id": line, "firmware": firmware}) + "\n"
        for machine, line, firmware in (("M1", "L1", "4.2"), ("M2", "L1", firmware_m2), ("M3", "L2", "4.2"))
    ))
    Path(landing, "_SUCCESS").touch()
    return len(readings)


def prepare_airflow(home: Path):
    """Point Airflow at ``home`` (before its first import), create the SQLite database, load the DAGs."""
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    })
    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils.db import initdb

    initdb()
    return DagBag(dag_folder=str(DAGS_FOLDER))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 12, 3))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="airflow-example-"))
    spark = local_spark(work / "spark", app_name="airflow-dags-local", shuffle_partitions=1)
    paths = LakePaths(str(work / "lake"))
    readings = write_day(paths, args.date, firmware_m2="4.2")
    bag = prepare_airflow(work / "airflow-home")
    import pendulum

    logical_date = pendulum.datetime(args.date.year, args.date.month, args.date.day, tz="UTC")
    states = {
        dag_id: bag.dags[dag_id].test(logical_date=logical_date, run_conf={"lake_root": paths.root}).state
        for dag_id in ("manufacturing_etl", "dimensional_load")
    }
    print(f"import errors: {len(bag.import_errors)}; runs for {args.date}: "
          + ", ".join(f"{dag_id} {state}" for dag_id, state in states.items()))
    count = lambda path: spark.read.format("delta").load(path).count()  # noqa: E731
    print(f"readings landed: {readings} = silver {count(paths.silver)} + quarantined {count(paths.silver_quarantine)}")
    print(f"gold hourly rows: {count(paths.gold)}, dim_machine rows: {count(paths.dim_machine)}, "
          f"fact rows: {count(paths.fact_machine_hourly)}")
    spark.stop()


if __name__ == "__main__":
    main()
