"""Add new source columns to a Delta dimension instead of dropping them.

Example::

    >>> add_new_source_columns(spark, "/lake/dim_machine", source_df, exclude=["change_ts"])  # doctest: +SKIP
    ['coolant_type']
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession

from manufacturing_star_schema.errors import ColumnTypeDriftError
from manufacturing_star_schema.sql_identifiers import quoted


def add_new_source_columns(
    spark: SparkSession, table_path: str, source: DataFrame, exclude: Sequence[str] = ()
) -> list[str]:
    """``ALTER TABLE ADD COLUMNS`` for every source column the table lacks; return their names.

    Raises ``ColumnTypeDriftError`` when a column exists on both sides with different types: a
    silent cast would hide the drift, so the caller decides (cast the source, or widen the table).
    """
    table = spark.read.format("delta").load(table_path)
    table_types = {f.name.lower(): f.dataType for f in table.schema.fields}
    new_fields, drifted = [], {}
    for field in source.schema.fields:
        if field.name in exclude:
            continue
        existing = table_types.get(field.name.lower())
        if existing is None:
            new_fields.append(field)
        elif existing != field.dataType:
            drifted[field.name] = (existing.simpleString(), field.dataType.simpleString())
    if drifted:
        raise ColumnTypeDriftError(drifted)
    if new_fields:
        columns = ", ".join(f"{quoted(f.name)} {f.dataType.simpleString()}" for f in new_fields)
        spark.sql(f"ALTER TABLE delta.{quoted(table_path)} ADD COLUMNS ({columns})")
    return [f.name for f in new_fields]
