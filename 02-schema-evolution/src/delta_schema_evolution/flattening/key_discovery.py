"""Sampled key discovery: which keys a ``MAP<STRING,STRING>`` column carries, how often, the type their
sample values support, and (with a group column such as ``machine_type``) which groups carry each key.

Only the bounded sample is exploded; the full data never is.

Example::

    keys = discover_keys(readings, "customExtension", sample_rows=10_000, min_share=0.01,
                         group_column="machine_type")
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from delta_schema_evolution.errors import SchemaInputError
from delta_schema_evolution.flattening.key_registry import DYNAMIC, REGISTERED, DiscoveredKey
from delta_schema_evolution.flattening.key_types import infer_type
from delta_schema_evolution.flattening.map_checks import check_group_column, check_map_column


def discover_keys(frame: DataFrame, map_column: str, sample_rows: int = 10_000, values_per_key: int = 200,
                  min_share: float = 0.0, group_column: str | None = None) -> list[DiscoveredKey]:
    """Keys of ``map_column`` in the first ``sample_rows`` rows, with counts, an inferred type, and a status:
    ``dynamic`` when the key is in fewer than ``min_share`` of the sampled rows, else ``registered``. With
    ``group_column``, each key also gets the sorted groups whose rows carried it (None when a carrying row
    had a null group: such a key is looked up on every row).

    The explode here runs on the bounded sample only; the full data is never exploded.

    Example::

        discover_keys(readings, "customExtension", sample_rows=10_000, min_share=0.01, group_column="machine_type")
        # [DiscoveredKey(key='spindle_rpm', observations=9120, inferred_type='int', status='registered',
        #                groups=('cnc_lathe', 'cnc_mill')), ...]
    """
    check_map_column(frame, map_column)
    if group_column is not None:
        check_group_column(frame, group_column, map_column)
    if sample_rows < 1:
        raise SchemaInputError(f"sample_rows: expected >= 1, got {sample_rows}")
    if not 0.0 <= min_share <= 1.0:
        raise SchemaInputError(f"min_share: expected a fraction between 0 and 1, got {min_share}")
    group = F.col(group_column) if group_column is not None else F.lit(None).cast("string")
    sample = frame.select(F.col(map_column).alias("_map"), group.alias("_group")).limit(sample_rows).cache()
    try:
        sampled = sample.count()
        grouped = (sample.select("_group", F.explode("_map").alias("key", "value")).groupBy("key")
                   .agg(F.count(F.lit(1)).alias("observations"),
                        F.slice(F.collect_list("value"), 1, values_per_key).alias("values"),
                        F.sort_array(F.collect_set("_group")).alias("groups"),
                        F.max(F.col("_group").isNull()).alias("ungrouped"))).collect()
    finally:
        sample.unpersist()
    return sorted((DiscoveredKey(row["key"], row["observations"], infer_type(row["values"]),
                                 REGISTERED if row["observations"] >= min_share * sampled else DYNAMIC,
                                 None if group_column is None or row["ungrouped"] else tuple(row["groups"]))
                   for row in grouped), key=lambda k: k.key)
