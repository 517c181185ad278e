"""Runbook docs/runbooks/deployment-checklist.md: the steps that run before a deploy, executed.

The new version's write is dry-run against a SHALLOW CLONE of the production table: the clone
shares production's files but commits to its own log, so a breaking change fails there, with the
error production would raise, and production stays at its version.
"""
from __future__ import annotations

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession

SCHEMA = "reading_id long, machine string, temperature_c double"


def production_table(spark: SparkSession, path: str) -> int:
    spark.createDataFrame([(1, "press-07", 71.5), (2, "oven-02", 181.0)], SCHEMA).write.format("delta").save(path)
    return current_version(spark, path)


def current_version(spark: SparkSession, path: str) -> int:
    return spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 1").first().version


def dry_run_on_shallow_clone(spark: SparkSession, production: str, clone: str, new_output: DataFrame) -> None:
    """Checklist step 3: clone production (metadata only), write the new version's output to the clone."""
    spark.sql(f"CREATE TABLE delta.`{clone}` SHALLOW CLONE delta.`{production}`")
    new_output.write.format("delta").mode("append").option("mergeSchema", "true").save(clone)


def test_a_breaking_change_fails_the_dry_run_and_production_is_untouched(spark, tmp_path):
    production, clone = str(tmp_path / "readings"), str(tmp_path / "dry-run")
    rollback_version = production_table(spark, production)  # step 2: the version to roll back to
    # the new version sends the temperature as text ("71.5 C"): a type change, not an added column
    breaking = spark.createDataFrame([(3, "press-07", "71.9 C")],
                                     "reading_id long, machine string, temperature_c string")

    with pytest.raises(AnalysisException, match="DELTA_FAILED_TO_MERGE_FIELDS"):
        dry_run_on_shallow_clone(spark, production, clone, breaking)
    assert current_version(spark, production) == rollback_version
    assert spark.read.format("delta").load(production).count() == 2


def test_a_compatible_change_passes_the_dry_run_and_only_the_clone_has_its_rows(spark, tmp_path):
    production, clone = str(tmp_path / "readings"), str(tmp_path / "dry-run")
    rollback_version = production_table(spark, production)
    compatible = spark.createDataFrame([(3, "press-07", 71.9, "line-1")],
                                       "reading_id long, machine string, temperature_c double, line string")

    dry_run_on_shallow_clone(spark, production, clone, compatible)

    assert spark.read.format("delta").load(clone).count() == 3
    assert "line" in spark.read.format("delta").load(clone).columns
    assert current_version(spark, production) == rollback_version
    assert spark.read.format("delta").load(production).columns == ["reading_id", "machine", "temperature_c"]
