"""Job entry point ``dimensional-load``: one batch of changes into an SCD Type 2 dimension, quarantine kept.

A ``python_wheel_task`` runs it on the cluster's session (``SparkSession.builder.getOrCreate()``)
with the batch's location and the dimension's as parameters. The source is a table name
(``catalog.schema.table``) or a path (anything with a ``/``) in Delta, Parquet or JSON; the
dimension and the quarantine are Delta paths, created when missing. Every source row gets one
outcome, and the rows refused are appended to the quarantine with their reason, so
rows in = rows written or matched + rows quarantined.

Example::

    dimensional-load --source /Volumes/iot_dev/manufacturing/lake/landing/machine_config_changes \\
        --source-format json --target /Volumes/iot_dev/manufacturing/lake/dim_machine \\
        --quarantine /Volumes/iot_dev/manufacturing/lake/quarantine/dim_machine --natural-key machine_id
    # dimensional load: <n> source rows -> {<outcome>: <rows>, ...} (<fast|general> path); dim_machine has <n> rows, ...
"""

from __future__ import annotations

import argparse
import os

from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import StarSchemaError
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.scd_type2 import create_scd2_table, merge_scd2

SOURCE_FORMATS = ("delta", "parquet", "json")


class DimensionalLoadSourceError(StarSchemaError):
    """The job's source is not there, or is not what ``--source-format`` says."""


def _columns(value: str) -> tuple[str, ...]:
    columns = tuple(part.strip() for part in value.split(","))
    if not all(columns):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, found {value!r}")
    return columns


def _location(value: str) -> str:
    """A table name as given; a relative local path made absolute (Delta reads a relative one as a table name)."""
    if not value.strip():
        raise argparse.ArgumentTypeError(f"expected a table name or a path, found {value!r}")
    if "/" in value and ":" not in value and not os.path.isabs(value):
        return os.path.abspath(value)
    return value


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The job's parameters; a missing or malformed one is an argparse error (exit 2) naming the option."""
    parser = argparse.ArgumentParser(prog="dimensional-load", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=_location, required=True, help="table name or path of the changes")
    parser.add_argument("--source-format", choices=SOURCE_FORMATS, default="delta")
    parser.add_argument("--target", type=_location, required=True, help="Delta path of the Type 2 dimension")
    parser.add_argument("--quarantine", type=_location, required=True, help="Delta path the refused rows go to")
    parser.add_argument("--natural-key", type=_columns, default=("machine_id",), help="comma-separated key columns")
    parser.add_argument("--change-ts", default="change_ts", help="the change timestamp column")
    parser.add_argument("--surrogate-key", default="machine_sk", help="the surrogate key column of the dimension")
    return parser.parse_args(argv)


def read_changes(spark: SparkSession, source: str, source_format: str, change_ts: str) -> DataFrame:
    """The batch at ``source`` (a table name, or a path when it holds a ``/``); a JSON timestamp is cast.

    Example::

        >>> read_changes(spark, "iot_dev.manufacturing.machine_config_changes", "delta", "change_ts")  # doctest: +SKIP
    """
    if "/" not in source:
        if not spark.catalog.tableExists(source):
            raise DimensionalLoadSourceError(f"--source: expected an existing table, found no table {source!r}")
        changes = spark.read.table(source)
    elif source_format == "delta" and not DeltaTable.isDeltaTable(spark, source):
        raise DimensionalLoadSourceError(f"--source: expected a Delta table at {source!r}, found none")
    else:
        try:
            changes = spark.read.format(source_format).load(source)
            changes.schema  # noqa: B018 - resolves the path now, so a missing one fails here
        except AnalysisException as error:
            raise DimensionalLoadSourceError(
                f"--source: expected {source_format} files at {source!r}, found none ({error.getCondition()})"
            ) from None
    if source_format == "json" and change_ts in changes.columns:
        changes = changes.withColumn(change_ts, F.to_timestamp(change_ts))
    return changes


def load_dimension(spark: SparkSession, changes: DataFrame, target: str, quarantine: str, spec: Scd2Spec) -> dict:
    """Create the dimension when missing, MERGE ``changes``, append the refused rows to ``quarantine``.

    Returns the counts the summary prints: ``source_rows``, ``outcomes`` (outcome -> rows),
    ``quarantined`` (rows appended), ``path`` and ``dimension_rows``.
    """
    if not DeltaTable.isDeltaTable(spark, target):
        create_scd2_table(spark, target, changes.drop(spec.change_ts_column, spec.is_deleted).schema, spec)
    source_rows = changes.count()
    result = merge_scd2(spark, target, changes, spec)
    outcomes = {row["outcome"]: row["count"] for row in result.outcomes.groupBy("outcome").count().collect()}
    refused = result.quarantine.cache()
    quarantined = refused.count()
    if quarantined:
        refused.write.format("delta").mode("append").option("mergeSchema", "true").save(quarantine)
    refused.unpersist()
    return {"source_rows": source_rows, "outcomes": dict(sorted(outcomes.items())), "quarantined": quarantined,
            "path": result.path, "dimension_rows": spark.read.format("delta").load(target).count()}


def main(argv: list[str] | None = None) -> int:
    """Entry point: parameters from ``argv`` (``sys.argv[1:]`` when None), the cluster's session, one line."""
    args = parse_arguments(argv)
    spark = SparkSession.builder.getOrCreate()
    spec = Scd2Spec(natural_key=args.natural_key, change_ts_column=args.change_ts,
                    surrogate_key_column=args.surrogate_key)
    changes = read_changes(spark, args.source, args.source_format, args.change_ts)
    counts = load_dimension(spark, changes, args.target, args.quarantine, spec)
    name = args.target.rstrip("/").rsplit("/", 1)[-1]
    print(f"dimensional load: {counts['source_rows']} source rows -> {counts['outcomes']} ({counts['path']} path); "
          f"{name} has {counts['dimension_rows']} rows, {counts['quarantined']} quarantined", flush=True)
    return 0
