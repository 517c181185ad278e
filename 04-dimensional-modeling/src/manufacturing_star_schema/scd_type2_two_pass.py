"""The two-pass SCD Type 2 most codebases start with: expire changed rows, then insert new versions.

Kept as the benchmark baseline and to reproduce its failure in tests: it compares each change
only with the CURRENT row, so a rerun of an older batch (or any late change) expires the newer
version and makes the old value current again, leaving a version whose interval ends before it
starts. ``merge_scd2`` is the replacement.

Example::

    >>> merge_scd2_two_pass(spark, "/lake/dim_machine", changes_df, Scd2Spec(("machine_id",)))  # doctest: +SKIP
"""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.sql_identifiers import quoted


def merge_scd2_two_pass(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd2Spec) -> dict[str, int]:
    """Pass 1: MERGE that expires current rows whose hash differs. Pass 2: append the changed and new rows.

    Assumes one change per key per batch, newer than the current version (the assumption that breaks).
    """
    key, vf = list(spec.natural_key), spec.valid_from
    table = DeltaTable.forPath(spark, target_path)
    target = table.toDF()
    excluded = set(key) | set(spec.control_columns)
    attributes = [c for c in target.columns if c not in excluded]
    if not set([*key, spec.change_ts_column, *attributes]) <= set(source.columns):
        raise MissingColumnsError("source", [*key, spec.change_ts_column, *attributes], source.columns)
    tracked = list(spec.tracked_columns or attributes)
    changes = (
        source.select(*key, *attributes, F.col(spec.change_ts_column).cast("timestamp").alias(vf))
        .withColumn(spec.is_deleted, F.lit(False))
        .withColumn(spec.row_hash, row_hash([*tracked, spec.is_deleted]))
    )

    condition = " AND ".join([f"t.{quoted(k)} = s.{quoted(k)}" for k in key] + [f"t.{quoted(spec.is_current)}"])
    expired = (
        table.alias("t")
        .merge(changes.alias("s"), condition)
        .whenMatchedUpdate(
            condition=f"t.{quoted(spec.row_hash)} <> s.{quoted(spec.row_hash)}",
            set={spec.valid_to: f"s.{quoted(vf)}", spec.is_current: "false"},
        )
        .execute()
        .first()
    )
    version_before_insert = table.history(1).first()["version"]

    current = spark.read.format("delta").load(target_path).filter(F.col(spec.is_current))
    new_versions = changes.join(current.select(*key, spec.row_hash), [*key, spec.row_hash], "left_anti").select(
        *key,
        *attributes,
        spec.is_deleted,
        vf,
        F.lit(OPEN_END).alias(spec.valid_to),
        F.lit(True).alias(spec.is_current),
        spec.row_hash,
    )
    if spec.surrogate_key_strategy == "hash":
        new_versions = new_versions.withColumn(spec.surrogate_key_column, hash_key([*key, vf]))
    new_versions.write.format("delta").mode("append").save(target_path)
    last = table.history(1).first()
    inserted = 0 if last["version"] == version_before_insert else int(last["operationMetrics"]["numOutputRows"])
    return {"num_updated_rows": int(expired["num_updated_rows"]), "num_inserted_rows": inserted}
