"""Execution settings for this folder's tests, which check correctness on a few rows."""
from __future__ import annotations

import pytest

TINY_DATA_SETTINGS = {
    # every shuffle stage would be a job of its own, and each tiny query would compile Java code
    # that costs more than interpreting a few rows; scripts and benchmarks keep Spark's defaults
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@pytest.fixture(scope="session", autouse=True)
def _execution_settings_for_tiny_test_data(spark):
    for key, value in TINY_DATA_SETTINGS.items():
        spark.conf.set(key, value)
