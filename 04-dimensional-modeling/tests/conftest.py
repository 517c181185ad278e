"""Fixtures of this folder's tests (helpers shared between test files are in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MACHINE_ATTRIBUTES, MACHINE_CHANGES, copy_table, local_frame

from manufacturing_star_schema import Scd2Spec, create_scd2_table

TINY_DATA_SETTINGS = {
    # AQE runs every shuffle stage as a job of its own (an SCD2 outcome count took 210 jobs and 29 s
    # with it, 21 jobs and 8 s without)
    "spark.sql.adaptive.enabled": "false",
    # every query here is new and reads a few rows: compiling generated Java code for each costs more
    # than interpreting it (the same results; Spark's own test suites run both modes)
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@pytest.fixture(scope="session", autouse=True)
def _execution_settings_for_tiny_test_data(spark):
    """Execution settings for this folder's tests, which assert correctness on a few rows (see
    ``TINY_DATA_SETTINGS``). Run as scripts, the benchmark and the example keep Spark's defaults."""
    for key, value in TINY_DATA_SETTINGS.items():
        spark.conf.set(key, value)


@pytest.fixture
def changes(spark):
    """Build a machine-config change batch from tuples (machine_id, line_id, firmware, max_rpm, change_ts)."""

    def build(rows, schema=MACHINE_CHANGES):
        return local_frame(spark, rows, schema)

    return build


@pytest.fixture(scope="session")
def empty_dim_machine(spark, tmp_path_factory):
    """Put an empty machine dimension (``create_scd2_table`` with hash surrogate keys) at a path.

    ``create_scd2_table`` runs once per set of table properties; each call copies that table's folder
    (``copy_table``), so every test gets a table of its own without paying for creating one again.
    """
    created: dict[tuple[tuple[str, str], ...], Path] = {}

    def put(path, properties=None):
        key = tuple(sorted((properties or {}).items()))
        if key not in created:
            created[key] = tmp_path_factory.mktemp("empty_dim_machine") / "table"
            spec = Scd2Spec(natural_key=("machine_id",))
            create_scd2_table(spark, str(created[key]), MACHINE_ATTRIBUTES, spec, properties=properties)
        return copy_table(created[key], path)

    return put
