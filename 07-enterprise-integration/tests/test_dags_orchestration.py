"""The Airflow DAGs in orchestration/dags: loaded in a DagBag, then run with ``dag.test()`` on a
SQLite metadata database, their tasks running Spark on this folder's session."""
from __future__ import annotations

import os
from datetime import date

import pytest
from chispa import assert_df_equality
from helpers import tiny_data_settings

from enterprise_integration.orchestration import LakePaths, landing_partition, sensor_files_arrived

DAY_1, DAY_2 = date(2026, 12, 3), date(2026, 12, 4)


@pytest.fixture(scope="module")
def example(pytestconfig):
    from catalog_tools.scripts import load_script_from

    return load_script_from(pytestconfig.rootpath / "examples" / "airflow_dags_local.py")


@pytest.fixture(scope="module")
def dag_bag(example, tmp_path_factory):
    """A DagBag of the DAG folder, with Airflow's home and SQLite database in a temporary folder
    (set before Airflow is first imported, which reads them at import)."""
    return example.prepare_airflow(tmp_path_factory.mktemp("airflow-home"))


def run(dag_bag, dag_id: str, day: date, lake_root: str) -> str:
    """Run one DAG for one logical date with ``dag.test()``; retries are off here so a failing
    task fails the test at once instead of waiting out its backoff."""
    import pendulum

    dag = dag_bag.dags[dag_id]
    retries = {task.task_id: task.retries for task in dag.tasks}
    for task in dag.tasks:
        task.retries = 0
    try:
        logical_date = pendulum.datetime(day.year, day.month, day.day, tz="UTC")
        return dag.test(logical_date=logical_date, run_conf={"lake_root": lake_root}).state
    finally:
        for task in dag.tasks:
            task.retries = retries[task.task_id]


def test_the_sensor_waits_for_the_success_marker_not_for_the_first_file(tmp_path):
    paths = LakePaths(str(tmp_path))
    os.makedirs(landing_partition(paths.landing, DAY_1))
    open(f"{landing_partition(paths.landing, DAY_1)}/readings-0001.json", "w").close()
    assert not sensor_files_arrived(paths.landing, DAY_1)
    open(f"{landing_partition(paths.landing, DAY_1)}/_SUCCESS", "w").close()
    assert sensor_files_arrived(paths.landing, DAY_1)


def test_the_dag_folder_loads_with_no_import_errors_and_every_task_retries_with_backoff_and_a_timeout(dag_bag):
    assert dag_bag.import_errors == {}
    assert sorted(dag_bag.dag_ids) == ["dimensional_load", "manufacturing_etl"]
    etl, dims = dag_bag.dags["manufacturing_etl"], dag_bag.dags["dimensional_load"]
    assert [t.task_id for t in etl.topological_sort()] == ["wait_for_sensor_files", "bronze", "silver", "gold"]
    dims_order = [t.task_id for t in dims.topological_sort()]
    assert dims_order == ["wait_for_silver", "machine_dimension", "machine_hourly_fact"]
    for task in etl.tasks + dims.tasks:
        assert task.retries == 3 and task.retry_exponential_backoff and task.max_retry_delay is not None
        assert task.execution_timeout is not None
    assert etl.get_task("wait_for_sensor_files").mode == "reschedule"
    assert dims.get_task("machine_dimension").depends_on_past and dims.max_active_runs == 1


def test_both_dags_run_to_success_and_a_rerun_of_a_day_changes_no_table(dag_bag, example, spark, tmp_path):
    paths = LakePaths(str(tmp_path / "lake"))
    rows_day_1 = example.write_day(paths, DAY_1, firmware_m2="4.2")
    example.write_day(paths, DAY_2, firmware_m2="5.0")  # M2's firmware is upgraded on day 2
    read = lambda path: spark.read.format("delta").load(path)  # noqa: E731

    with tiny_data_settings(spark):
        assert run(dag_bag, "manufacturing_etl", DAY_1, paths.root) == "success"
        assert run(dag_bag, "dimensional_load", DAY_1, paths.root) == "success"
        silver, quarantine = read(paths.silver).count(), read(paths.silver_quarantine).count()
        assert (silver, quarantine) == (24, 3) and silver + quarantine == rows_day_1  # rows in = written + quarantined
        before = {p: read(p).collect() for p in (paths.silver, paths.gold, paths.fact_machine_hourly)}

        assert run(dag_bag, "manufacturing_etl", DAY_1, paths.root) == "success"  # a rerun (or backfill) of day 1
        assert run(dag_bag, "dimensional_load", DAY_1, paths.root) == "success"
        for path, rows in before.items():
            assert_df_equality(read(path), spark.createDataFrame(rows, read(path).schema), ignore_row_order=True)

        assert run(dag_bag, "manufacturing_etl", DAY_2, paths.root) == "success"
        assert run(dag_bag, "dimensional_load", DAY_2, paths.root) == "success"
        dim = sorted((r.machine_id, r.firmware, str(r.valid_from), str(r.valid_to), r.is_current)
                     for r in read(paths.dim_machine).collect())
        assert dim == [
            ("M1", "4.2", "2026-12-03", "None", True),
            ("M2", "4.2", "2026-12-03", "2026-12-04", False),  # closed by the upgrade
            ("M2", "5.0", "2026-12-04", "None", True),
            ("M3", "4.2", "2026-12-03", "None", True),
        ]
        fact = read(paths.fact_machine_hourly)
        keys = fact.select("reading_date", "machine_sk").distinct().collect()
        keys_per_day = {(str(r.reading_date), r.machine_sk) for r in keys}
        assert keys_per_day == {("2026-12-03", 1), ("2026-12-03", 2), ("2026-12-03", 3),
                                ("2026-12-04", 1), ("2026-12-04", 4), ("2026-12-04", 3)}
