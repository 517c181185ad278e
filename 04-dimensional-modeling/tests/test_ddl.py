"""Every packaged DDL file runs on real Spark + Delta; constraints bite; UC-only features are named."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pyspark.errors import AnalysisException, ParseException

from manufacturing_star_schema import assert_scd2_invariants, merge_scd6, scd6_spec
from manufacturing_star_schema.ddl import create_star_schema, ddl_files
from manufacturing_star_schema.errors import InvalidSpecError

STAR_TABLES = [
    "dim_plant",
    "dim_machine",
    "dim_test_equipment",
    "dim_product",
    "dim_date",
    "dim_shift",
    "fact_manufacturing_test",
    "fact_sensor_readings",
    "fact_production_output",
]


@pytest.fixture(scope="module")
def star(spark):
    database = f"star_{uuid.uuid4().hex[:8]}"
    created = create_star_schema(spark, database)
    yield database, created
    spark.sql(f"DROP DATABASE {database} CASCADE")


def test_every_ddl_file_creates_its_delta_table(spark, star):
    database, created = star

    assert created == STAR_TABLES and len(ddl_files()) == 9
    for table in STAR_TABLES:
        assert spark.sql(f"DESCRIBE DETAIL {database}.{table}").first()["format"] == "delta"
    detail = spark.sql(f"DESCRIBE DETAIL {database}.fact_sensor_readings").first()
    assert detail["partitionColumns"] == ["event_date"]
    assert spark.sql(f"DESCRIBE DETAIL {database}.dim_machine").first()["clusteringColumns"] == [
        "machine_id",
        "valid_from",
    ]


def test_rerunning_the_ddl_is_a_no_op(spark, star):
    database, _ = star
    version = spark.sql(f"DESCRIBE HISTORY {database}.dim_date").count()

    # Delta's ADD CONSTRAINT has no IF NOT EXISTS: run twice, it fails ...
    with pytest.raises(AnalysisException, match="already exists"):
        spark.sql(
            f"ALTER TABLE {database}.dim_date ADD CONSTRAINT fiscal_period_range CHECK (fiscal_period > 0)"
        )
    # ... so create_star_schema skips constraints the table already has
    assert create_star_schema(spark, database) == STAR_TABLES
    assert spark.sql(f"DESCRIBE HISTORY {database}.dim_date").count() == version


def test_check_constraints_reject_an_empty_validity_interval(spark, star):
    database, _ = star
    with pytest.raises(Exception, match="DELTA_VIOLATE_CONSTRAINT_WITH_VALUES"):
        spark.sql(f"""INSERT INTO {database}.dim_machine VALUES (1, 'M1', 1, 'L1', 'fw', 1, 'L1',
                      TIMESTAMP'2026-03-05', TIMESTAMP'2026-03-01', false, false, 'h')""")


def test_the_scd6_merge_runs_against_the_ddl_created_dim_machine(spark, star):
    database, _ = star
    path = spark.sql(f"DESCRIBE DETAIL {database}.dim_machine").first()["location"]
    spec = scd6_spec(("machine_id",), current_value_columns={"line_id": "current_line_id"})
    changes = spark.createDataFrame(
        [
            ("M1", 7, "L1", "fw-1.0", 1200, dt.datetime(2026, 3, 1)),
            ("M1", 7, "L2", "fw-1.0", 1200, dt.datetime(2026, 3, 4)),
        ],
        "machine_id string, plant_sk bigint, line_id string, firmware string, max_rpm int, change_ts timestamp",
    )

    merge_scd6(spark, path, changes, spec)

    rows = (
        spark.table(f"{database}.dim_machine")
        .orderBy("valid_from")
        .select("line_id", "current_line_id")
        .collect()
    )
    assert [tuple(r) for r in rows] == [("L1", "L2"), ("L2", "L2")]
    assert_scd2_invariants(spark.table(f"{database}.dim_machine"), ["machine_id"])


def test_open_source_delta_rejects_what_only_databricks_accepts(spark, tmp_path):
    # informational primary/foreign keys are Unity Catalog features: the OSS parser rejects them
    with pytest.raises(ParseException, match="PARSE_SYNTAX_ERROR"):
        spark.sql(
            f"CREATE TABLE delta.`{tmp_path}/pk` (id BIGINT, CONSTRAINT pk PRIMARY KEY (id)) USING DELTA"
        )
    # on Spark 4.0 + Delta 4.0, identity columns in SQL DDL fail; DeltaTable.create(...) works (create_scd2_table)
    with pytest.raises(AnalysisException, match="does not support identity column"):
        spark.sql(
            f"CREATE TABLE delta.`{tmp_path}/id` (id BIGINT GENERATED ALWAYS AS IDENTITY, x STRING) USING DELTA"
        )


def test_a_database_name_that_is_not_an_identifier_is_refused_before_any_sql_runs(spark):
    with pytest.raises(InvalidSpecError, match="expected a plain identifier"):
        create_star_schema(spark, "dw; DROP DATABASE default")
