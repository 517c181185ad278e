"""SCD Types 1, 3 and 6: each a single MERGE, each test ending with its invariant check."""

from __future__ import annotations

import pytest
from helpers import MACHINE_ATTRIBUTES, assert_history, local_frame, outcome_counts, ts
from pyspark.sql import functions as F

from manufacturing_star_schema import (
    OPEN_END,
    Scd1Spec,
    Scd3Spec,
    assert_one_row_per_key,
    assert_scd2_invariants,
    create_scd2_table,
    merge_scd1,
    merge_scd3,
    merge_scd6,
    scd6_spec,
)

PLANTS = "plant_id string, plant_name string, site string, change_ts timestamp"


@pytest.fixture
def dim_plant(spark, delta_path):
    spark.sql(f"""CREATE TABLE delta.`{delta_path}` (plant_id STRING NOT NULL, plant_name STRING, site STRING,
                  updated_at TIMESTAMP, is_deleted BOOLEAN, row_hash STRING) USING DELTA""")
    return delta_path


def plants(spark, path):
    rows = spark.read.format("delta").load(path).orderBy("plant_id")
    return [tuple(r) for r in rows.select("plant_id", "plant_name", "is_deleted", "updated_at").collect()]


def test_type1_overwrites_newer_changes_and_ignores_older_ones_and_reruns(spark, dim_plant):
    spec = Scd1Spec(natural_key=("plant_id",))
    merge_scd1(
        spark,
        dim_plant,
        local_frame(
            spark,
            [
                ("BER1", "Berlin", "DE-East", ts(1)),
                ("AUS1", "Austin", "US-South", ts(2)),
            ],
            PLANTS,
        ),
        spec,
    )
    batch = local_frame(
        spark,
        [
            ("BER1", "Berlin Spandau", "DE-East", ts(5)),  # renamed on day 5: overwritten
            ("BER1", "Berlin Mitte", "DE-East", ts(3)),  # older than day 5 in the same batch: superseded
            ("AUS1", "Austin (old)", "US-South", ts(1)),  # older than what is stored: ignored
            ("SHA1", "Shanghai", "CN-East", ts(5)),  # new
            (None, "No key", "?", ts(5)),  # quarantined
        ],
        PLANTS,
    )

    result = merge_scd1(spark, dim_plant, batch, spec)
    rerun = merge_scd1(spark, dim_plant, batch, spec)

    assert plants(spark, dim_plant) == [
        ("AUS1", "Austin", False, ts(2)),
        ("BER1", "Berlin Spandau", False, ts(5)),
        ("SHA1", "Shanghai", False, ts(5)),
    ]
    counts = outcome_counts(result)
    assert counts == {
        "updated": 1,
        "superseded_in_batch": 1,
        "older_than_stored": 1,
        "inserted": 1,
        "quarantined": 1,
    }
    assert sum(counts.values()) == batch.count()  # rows in = rows written + skipped + quarantined
    assert rerun.metrics["num_updated_rows"] == 0 and rerun.metrics["num_inserted_rows"] == 0
    assert_one_row_per_key(spark.read.format("delta").load(dim_plant), ["plant_id"])


def test_type1_soft_delete_keeps_the_member_and_a_new_column_is_added(spark, dim_plant):
    spec = Scd1Spec(natural_key=("plant_id",))
    merge_scd1(spark, dim_plant, local_frame(spark, [("BER1", "Berlin", "DE-East", ts(1))], PLANTS), spec)
    delete = local_frame(spark, [("BER1", None, None, ts(9))], PLANTS).withColumn("is_deleted", F.lit(True))
    merge_scd1(spark, dim_plant, delete, spec)

    result = merge_scd1(
        spark,
        dim_plant,
        local_frame(spark, [("AUS1", "Austin", "US-South", ts(9))], PLANTS).withColumn(
            "time_zone", F.lit("America/Chicago")
        ),
        spec,
    )

    assert result.added_columns == ["time_zone"]
    assert plants(spark, dim_plant) == [("AUS1", "Austin", False, ts(9)), ("BER1", "Berlin", True, ts(9))]
    assert_one_row_per_key(spark.read.format("delta").load(dim_plant), ["plant_id"])


def test_type3_keeps_the_previous_value_next_to_the_current_one(spark, delta_path, changes):
    spark.sql(f"""CREATE TABLE delta.`{delta_path}` (machine_id STRING NOT NULL, line_id STRING, firmware STRING,
                  max_rpm INT, previous_line_id STRING, line_id_changed_at TIMESTAMP, updated_at TIMESTAMP,
                  is_deleted BOOLEAN, row_hash STRING) USING DELTA""")
    spec = Scd3Spec(natural_key=("machine_id",), tracked=("line_id",))
    merge_scd3(spark, delta_path, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), spec)
    merge_scd3(spark, delta_path, changes([("M1", "L2", "fw-1.0", 1200, ts(4))]), spec)  # moved to L2
    merge_scd3(spark, delta_path, changes([("M1", "L2", "fw-1.1", 1200, ts(6))]), spec)  # firmware only

    rerun = merge_scd3(spark, delta_path, changes([("M1", "L2", "fw-1.1", 1200, ts(6))]), spec)

    row = spark.read.format("delta").load(delta_path).first()
    assert (row.line_id, row.previous_line_id, row.line_id_changed_at, row.firmware) == (
        "L2",
        "L1",
        ts(4),
        "fw-1.1",
    )
    assert outcome_counts(rerun) == {"older_than_stored": 1}
    assert rerun.metrics["num_updated_rows"] == 0
    assert_one_row_per_key(spark.read.format("delta").load(delta_path), ["machine_id"])


def test_type6_overwrites_the_current_value_on_every_version(spark, delta_path, changes):
    spec = scd6_spec(("machine_id",), current_value_columns={"line_id": "current_line_id"})
    create_scd2_table(spark, delta_path, MACHINE_ATTRIBUTES, spec)
    merge_scd6(
        spark,
        delta_path,
        changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.1", 1200, ts(3))]),
        spec,
    )

    merge_scd6(spark, delta_path, changes([("M1", "L7", "fw-1.1", 1200, ts(8))]), spec)  # moved to line L7
    rerun = merge_scd6(spark, delta_path, changes([("M1", "L7", "fw-1.1", 1200, ts(8))]), spec)

    assert_history(
        spark,
        delta_path,
        ["line_id", "current_line_id", "valid_from", "valid_to"],
        [
            ("L1", "L7", ts(1), ts(3)),  # historical line kept, current line overwritten
            ("L1", "L7", ts(3), ts(8)),
            ("L7", "L7", ts(8), OPEN_END),
        ],
    )
    assert rerun.metrics["num_updated_rows"] == 0 and rerun.metrics["num_inserted_rows"] == 0
    assert_scd2_invariants(spark.read.format("delta").load(delta_path), ["machine_id"])
