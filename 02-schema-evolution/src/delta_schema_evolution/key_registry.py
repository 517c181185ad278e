"""The key registry: one Delta row per map key (key, first_seen, last_seen, inferred_type, status, observations,
groups).

Status ``registered`` means the key gets its own typed column in the flat table; ``dynamic`` means it is
too rare (or too new) for a column and its entries go to the long side table. A key is promoted from
``dynamic`` to ``registered`` when a later sample sees it often enough; it is never demoted, because its
column already exists. ``inferred_type`` only changes to a type Delta can widen the column to.

``groups`` lists the values of a group column (the machine type) whose rows carried the key in the samples,
so extraction can look the key up only on those rows. It only grows (union of every sample). Null means
"all groups": the key was registered before the registry tracked groups (``migrate_registry`` adds the
column to an existing registry, old rows read null), it was discovered without a group column, or it was
seen on a row whose group was null. A null never narrows back by itself; to narrow such a key, UPDATE its
row's ``groups``.

Example::

    update = update_key_registry(spark, "/lake/registry/custom_extension_keys", discovered)
    update.new_keys, update.widened, update.promoted
    registered_keys(spark, "/lake/registry/custom_extension_keys")   # {'spindle_rpm': 'int', ...}
    registered_key_groups(spark, "/lake/registry/custom_extension_keys")  # {'spindle_rpm': ('cnc_lathe', ...)}
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
    T.StructField("groups", T.ArrayType(T.StringType())),
])
GROUPS = "groups"


@dataclass(frozen=True)
class DiscoveredKey:
    """A key seen in the sample, how often, the type its sample values support, its proposed status, and
    the groups whose rows carried it (None: all groups, or discovered without a group column)."""

    key: str
    observations: int
    inferred_type: str
    status: str = REGISTERED
    groups: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RegistryUpdate:
    """What one registry update changed."""

    new_keys: list[str] = field(default_factory=list)
    widened: dict[str, tuple[str, str]] = field(default_factory=dict)
    promoted: list[str] = field(default_factory=list)
    groups_added: dict[str, list[str]] = field(default_factory=dict)
    migrated: bool = False


def merged_groups(previous: Sequence[str] | None, discovered: Sequence[str] | None) -> tuple[str, ...] | None:
    """The union of two group lists, sorted; None (all groups) when either is None.

    Example::

        >>> merged_groups(["cnc_mill"], ["cnc_lathe"])
        ('cnc_lathe', 'cnc_mill')
        >>> merged_groups(None, ["cnc_lathe"]) is None
        True
    """
    if previous is None or discovered is None:
        return None
    return tuple(sorted(set(previous) | set(discovered)))


def migrate_registry(spark: SparkSession, registry_path: str) -> bool:
    """Add the ``groups`` column to a registry created before it existed (``ALTER TABLE ADD COLUMNS``; old
    rows read null, meaning all groups). Returns True when the column was added, False when it was there
    or the registry does not exist yet."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return False
    if GROUPS in DeltaTable.forPath(spark, registry_path).toDF().columns:
        return False
    quoted = registry_path.replace("`", "``")
    spark.sql(f"ALTER TABLE delta.`{quoted}` ADD COLUMNS ({GROUPS} ARRAY<STRING>)")
    return True


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
    ``dynamic`` promoted to ``registered`` when the new sample says so, and the sample's groups added to
    the key's groups (``merged_groups``). A registry without the ``groups`` column is migrated first.
    """
    seen_at = seen_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    migrated = migrate_registry(spark, registry_path)
    known = read_registry(spark, registry_path)
    rows, update = [], RegistryUpdate(migrated=migrated)
    for discovered in keys:
        previous = known.get(discovered.key)
        if previous is None:
            update.new_keys.append(discovered.key)
            rows.append((discovered.key, seen_at, seen_at, discovered.inferred_type, discovered.status,
                         discovered.observations, list(discovered.groups) if discovered.groups is not None else None))
            continue
        groups = merged_groups(previous[GROUPS], discovered.groups)
        if groups is not None and set(groups) != set(previous[GROUPS]):
            update.groups_added[discovered.key] = sorted(set(groups) - set(previous[GROUPS]))
        new_type = widened_type(spark, str(previous["inferred_type"]), discovered.inferred_type)
        if new_type != previous["inferred_type"]:
            update.widened[discovered.key] = (str(previous["inferred_type"]), new_type)
        status = previous["status"]
        if status == DYNAMIC and discovered.status == REGISTERED:
            status = REGISTERED
            update.promoted.append(discovered.key)
        rows.append((discovered.key, previous["first_seen"], seen_at, new_type, status,
                     int(previous["observations"]) + discovered.observations,
                     list(groups) if groups is not None else None))
    batch = spark.createDataFrame(rows, REGISTRY_SCHEMA)
    if not known:
        batch.write.format("delta").mode("append").save(registry_path)
        return update
    (DeltaTable.forPath(spark, registry_path).alias("r").merge(batch.alias("b"), "r.key = b.key")
     .whenMatchedUpdate(set={name: f"b.{name}" for name in ("last_seen", "inferred_type", "status", "observations",
                                                             GROUPS)})
     .whenNotMatchedInsertAll().execute())
    return update


def registered_keys(spark: SparkSession, registry_path: str) -> dict[str, str]:
    """``{key: inferred_type}`` for every key whose status is ``registered``, sorted by key."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return {}
    rows = spark.read.format("delta").load(registry_path).where(F.col("status") == REGISTERED).collect()
    return {row["key"]: row["inferred_type"] for row in sorted(rows, key=lambda r: r["key"])}


def registered_key_groups(spark: SparkSession, registry_path: str) -> dict[str, tuple[str, ...] | None]:
    """``{key: groups}`` for every registered key (None: look the key up on every row); every key maps to
    None when the registry predates the ``groups`` column."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return {}
    table = spark.read.format("delta").load(registry_path)
    rows = table.where(F.col("status") == REGISTERED).collect()
    has_groups = GROUPS in table.columns
    return {row["key"]: (tuple(row[GROUPS]) if has_groups and row[GROUPS] is not None else None)
            for row in sorted(rows, key=lambda r: r["key"])}
