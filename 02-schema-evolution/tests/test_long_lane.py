"""Truly dynamic keys are exploded, but only after filtering to the rows and entries that need it."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality

from delta_schema_evolution import SchemaInputError
from delta_schema_evolution.flattening.long_lane import explode_unregistered_keys

SCHEMA = "reading_id INT, machine_type STRING, customExtension MAP<STRING,STRING>"


def test_only_unregistered_entries_are_exploded_after_a_filter_on_rows(spark):
    readings = spark.createDataFrame([
        (1, "press", {"spindle_rpm": "1200"}),                                   # registered only: filtered out
        (2, "press", {"spindle_rpm": "1250", "alarm_E17": "overheat"}),          # one dynamic entry
        (3, "lathe", {"alarm_E17": "overheat", "alarm_E42": "coolant low"}),     # two dynamic entries
        (4, "lathe", {}),                                                        # nothing
    ], SCHEMA)

    long = explode_unregistered_keys(readings, "customExtension", ["reading_id"], registered=["spindle_rpm"])

    plan = long._jdf.queryExecution().executedPlan().toString()
    assert plan.index("Generate") < plan.index("Filter")  # the explode sits above (runs after) the row filter
    expected = spark.createDataFrame([(2, "alarm_E17", "overheat"), (3, "alarm_E17", "overheat"),
                                      (3, "alarm_E42", "coolant low")], long.schema)
    assert_df_equality(long, expected, ignore_row_order=True)


def test_id_columns_must_exist(spark):
    readings = spark.createDataFrame([(1, "press", {})], SCHEMA)
    with pytest.raises(SchemaInputError, match=r"missing \['id'\]"):
        explode_unregistered_keys(readings, "customExtension", ["id"], registered=[])
