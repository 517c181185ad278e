"""The key registry: one Delta row per map key (key, first_seen, last_seen, inferred_type, status, observations).

Status ``registered`` means the key gets its own typed column in the flat table; ``dynamic`` means it is
too rare (or too new) for a column and its entries go to the long side table. A key is promoted from
``dynamic`` to ``registered`` when a later sample sees it often enough; it is never demoted, because its
column already exists. ``inferred_type`` only changes to a type Delta can widen the column to.

Example::

    update = update_key_registry(spark, "/lake/registry/custom_extension_keys", discovered)
    update.new_keys, update.widened, update.promoted
    registered_keys(spark, "/lake/registry/custom_extension_keys")   # {'spindle_rpm': 'int', ...}
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.key_types import widened_type

REGISTERED = "registered"
DYNAMIC = "dynamic"
REGISTRY_SCHEMA = T.StructType([
    T.StructField("key", T.StringType(), False), T.StructField("first_seen", T.TimestampType()),
    T.StructField("last_seen", T.TimestampType()), T.StructField("inferred_type", T.StringType()),
    T.StructField("status", T.StringType()), T.StructField("observations", T.LongType()),
])


@dataclass(frozen=True)
class DiscoveredKey:
    """A key seen in the sample, how often, the type its sample values support, and its proposed status."""

    key: str
    observations: int
    inferred_type: str
    status: str = REGISTERED


@dataclass(frozen=True)
class RegistryUpdate:
    """What one registry update changed."""

    new_keys: list[str] = field(default_factory=list)
    widened: dict[str, tuple[str, str]] = field(default_factory=dict)
    promoted: list[str] = field(default_factory=list)


def read_registry(spark: SparkSession, registry_path: str) -> dict[str, dict[str, object]]:
    """Every registry row by key; empty when the registry does not exist yet."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return {}
    return {row["key"]: row.asDict() for row in spark.read.format("delta").load(registry_path).collect()}


def update_key_registry(spark: SparkSession, registry_path: str, keys: Sequence[DiscoveredKey],
                        seen_at: dt.datetime | None = None) -> RegistryUpdate:
    """MERGE discovered keys into the Delta registry.

    New keys are inserted with first_seen = last_seen = ``seen_at``. Known keys get last_seen moved,
    observations added, the type widened when Delta can widen the column (``widened_type``) and
    ``dynamic`` promoted to ``registered`` when the new sample says so.
    """
    seen_at = seen_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    known = read_registry(spark, registry_path)
    rows, update = [], RegistryUpdate()
    for discovered in keys:
        previous = known.get(discovered.key)
        if previous is None:
            update.new_keys.append(discovered.key)
            rows.append((discovered.key, seen_at, seen_at, discovered.inferred_type, discovered.status,
                         discovered.observations))
            continue
        new_type = widened_type(spark, str(previous["inferred_type"]), discovered.inferred_type)
        if new_type != previous["inferred_type"]:
            update.widened[discovered.key] = (str(previous["inferred_type"]), new_type)
        status = previous["status"]
        if status == DYNAMIC and discovered.status == REGISTERED:
            status = REGISTERED
            update.promoted.append(discovered.key)
        rows.append((discovered.key, previous["first_seen"], seen_at, new_type, status,
                     int(previous["observations"]) + discovered.observations))
    batch = spark.createDataFrame(rows, REGISTRY_SCHEMA)
    if not known:
        batch.write.format("delta").mode("append").save(registry_path)
        return update
    (DeltaTable.forPath(spark, registry_path).alias("r").merge(batch.alias("b"), "r.key = b.key")
     .whenMatchedUpdate(set={name: f"b.{name}" for name in ("last_seen", "inferred_type", "status", "observations")})
     .whenNotMatchedInsertAll().execute())
    return update


def registered_keys(spark: SparkSession, registry_path: str) -> dict[str, str]:
    """``{key: inferred_type}`` for every key whose status is ``registered``, sorted by key."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return {}
    rows = spark.read.format("delta").load(registry_path).where(F.col("status") == REGISTERED).collect()
    return {row["key"]: row["inferred_type"] for row in sorted(rows, key=lambda r: r["key"])}
