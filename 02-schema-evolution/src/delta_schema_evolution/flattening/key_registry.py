"""The key registry: one Delta row per map key (key, first_seen, last_seen, inferred_type, status, observations,
groups, column_name).

Status ``registered`` means the key gets its own typed column in the flat table; ``dynamic`` means it is
too rare (or too new) for a column and its entries go to the long side table. A key is promoted from
``dynamic`` to ``registered`` when a later sample sees it often enough; it is never demoted, because its
column already exists. ``inferred_type`` only changes to a type Delta can widen the column to.

``column_name`` is the flat-table column the key owns, handed out once by ``column_names.assign_columns``:
two keys that sanitise to the same name (``spindle-rpm`` after ``spindle_rpm``) get distinct columns, so
no key can leave the registry in a state that fails a later batch.

``groups`` lists the values of a group column (the machine type) whose rows carried the key in the samples,
so extraction can look the key up only on those rows. It only grows (union of every sample). Null means
"all groups": the key was registered before the registry tracked groups, it was discovered without a group
column, or it was seen on a row whose group was null. A null never narrows back by itself; to narrow such
a key, UPDATE its row's ``groups``. ``migrate_registry`` adds ``groups`` and ``column_name`` to a registry
that predates them.

An update is planned first (``plan_registry_update``: nothing written) and committed after the batch's
data is written (``commit_registry_update``), so a failed batch leaves the registry as it was.

Example::

    plan = plan_registry_update(spark, "/lake/registry/custom_extension_keys", discovered)
    plan.registered()["spindle_rpm"].column_name           # 'ext_spindle_rpm'
    ...  # write the batch with the planned columns, then:
    commit_registry_update(spark, "/lake/registry/custom_extension_keys", plan)
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

from delta_schema_evolution.flattening.key_columns import assign_columns
from delta_schema_evolution.flattening.key_types import widened_type

REGISTERED = "registered"
DYNAMIC = "dynamic"
REGISTRY_SCHEMA = T.StructType([
    T.StructField("key", T.StringType(), False), T.StructField("first_seen", T.TimestampType()),
    T.StructField("last_seen", T.TimestampType()), T.StructField("inferred_type", T.StringType()),
    T.StructField("status", T.StringType()), T.StructField("observations", T.LongType()),
    T.StructField("groups", T.ArrayType(T.StringType())), T.StructField("column_name", T.StringType()),
])
GROUPS = "groups"
COLUMN_NAME = "column_name"
ADDED_COLUMNS = {GROUPS: "ARRAY<STRING>", COLUMN_NAME: "STRING"}  # columns a registry may predate


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


@dataclass(frozen=True)
class RegistryEntry:
    """One key's registry state: its type, status, groups (None: all) and the flat-table column it owns."""

    key: str
    inferred_type: str
    status: str
    groups: tuple[str, ...] | None
    column_name: str


@dataclass(frozen=True)
class RegistryPlan:
    """A registry update computed but not committed yet: ``entries`` is every key's state once committed
    (what extraction uses), ``before`` the registered keys as they were; ``commit_registry_update`` writes
    ``rows``. Nothing reaches the registry until then, so a batch that fails leaves it as it was."""

    update: RegistryUpdate
    entries: dict[str, RegistryEntry]
    before: dict[str, RegistryEntry]
    rows: list[tuple[object, ...]]
    exists: bool

    def registered(self) -> dict[str, RegistryEntry]:
        """The entries whose status is ``registered``, sorted by key."""
        return {key: self.entries[key] for key in sorted(self.entries) if self.entries[key].status == REGISTERED}

    def new_columns(self) -> list[str]:
        """Keys that get a column with this update: newly registered or promoted from dynamic."""
        return [key for key, entry in self.registered().items()
                if key not in self.before or self.before[key].status != REGISTERED]


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
    """Add the columns a registry created before them lacks (``groups``, ``column_name``; ``ALTER TABLE ADD
    COLUMNS``, old rows read null: all groups, the column the key's sanitised name gives). Returns True when
    a column was added, False when none was missing or the registry does not exist yet."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return False
    present = set(DeltaTable.forPath(spark, registry_path).toDF().columns)
    missing = [f"{name} {ddl_type}" for name, ddl_type in ADDED_COLUMNS.items() if name not in present]
    if not missing:
        return False
    quoted = registry_path.replace("`", "``")
    spark.sql(f"ALTER TABLE delta.`{quoted}` ADD COLUMNS ({', '.join(missing)})")
    return True


def read_registry(spark: SparkSession, registry_path: str) -> dict[str, dict[str, object]]:
    """Every registry row by key, with ``groups`` and ``column_name`` None where the registry predates
    them; empty when the registry does not exist yet."""
    if not DeltaTable.isDeltaTable(spark, registry_path):
        return {}
    rows = spark.read.format("delta").load(registry_path).collect()
    return {row["key"]: {GROUPS: None, COLUMN_NAME: None, **row.asDict()} for row in rows}


def registry_entries(known: dict[str, dict[str, object]], prefix: str = "ext_",
                     taken: Sequence[str] = ()) -> dict[str, RegistryEntry]:
    """``{key: RegistryEntry}`` for registry rows (``read_registry``). A row without a stored column (a
    registry that predates ``column_name``) gets one by ``assign_columns``, oldest key first (first_seen,
    then key), so the key that had the plain name keeps it."""
    stored = {key: str(row[COLUMN_NAME]) for key, row in known.items() if row[COLUMN_NAME] is not None}
    legacy = sorted((key for key in known if key not in stored), key=lambda k: (known[k]["first_seen"] is None,
                                                                             known[k]["first_seen"] or 0, k))
    columns = {**stored, **assign_columns(legacy, prefix, stored, taken)}
    return {key: RegistryEntry(key, str(row["inferred_type"]), str(row["status"]),
                               tuple(row[GROUPS]) if row[GROUPS] is not None else None, columns[key])
            for key, row in known.items()}


def plan_registry_update(spark: SparkSession, registry_path: str, keys: Sequence[DiscoveredKey],
                         seen_at: dt.datetime | None = None, prefix: str = "ext_",
                         taken: Sequence[str] = ()) -> RegistryPlan:
    """What MERGEing the discovered keys into the registry would change, without writing anything.

    New keys are inserted with first_seen = last_seen = ``seen_at`` and a column of their own
    (``assign_columns``: never one a registered key, a name in ``taken`` or another new key already has).
    Known keys get last_seen moved, observations added, the type widened when Delta can widen the column
    (``widened_type``) and ``dynamic`` promoted to ``registered`` when the new sample says so, and the
    sample's groups added to the key's groups (``merged_groups``); their column never changes.
    """
    seen_at = seen_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    known = read_registry(spark, registry_path)
    before = registry_entries(known, prefix, taken)
    fresh = assign_columns([k.key for k in keys if k.key not in known], prefix,
                           {key: entry.column_name for key, entry in before.items()}, taken)
    rows, update, entries = [], RegistryUpdate(), dict(before)
    for discovered in keys:
        previous = known.get(discovered.key)
        if previous is None:
            update.new_keys.append(discovered.key)
            groups = discovered.groups
            rows.append((discovered.key, seen_at, seen_at, discovered.inferred_type, discovered.status,
                         discovered.observations, list(groups) if groups is not None else None, fresh[discovered.key]))
            entries[discovered.key] = RegistryEntry(discovered.key, discovered.inferred_type, discovered.status,
                                                    groups, fresh[discovered.key])
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
        column = before[discovered.key].column_name
        rows.append((discovered.key, previous["first_seen"], seen_at, new_type, status,
                     int(previous["observations"]) + discovered.observations,
                     list(groups) if groups is not None else None, column))
        entries[discovered.key] = RegistryEntry(discovered.key, new_type, str(status), groups, column)
    updated = {row[0] for row in rows}
    for key, row in known.items():  # rows from before column_name existed: store the column they were given
        if key not in updated and row[COLUMN_NAME] is None:
            rows.append((key, row["first_seen"], row["last_seen"], row["inferred_type"], row["status"],
                         row["observations"], row[GROUPS], before[key].column_name))
    return RegistryPlan(update, entries, before, rows, exists=bool(known))


def commit_registry_update(spark: SparkSession, registry_path: str, plan: RegistryPlan) -> bool:
    """Write a ``plan_registry_update`` plan: one append (new registry) or one MERGE, after adding the
    columns an old registry lacks. Returns True when the registry was migrated."""
    migrated = migrate_registry(spark, registry_path)
    if not plan.rows:
        return migrated
    batch = spark.createDataFrame(plan.rows, REGISTRY_SCHEMA)
    if not DeltaTable.isDeltaTable(spark, registry_path):
        batch.write.format("delta").mode("append").save(registry_path)
        return migrated
    (DeltaTable.forPath(spark, registry_path).alias("r").merge(batch.alias("b"), "r.key = b.key")
     .whenMatchedUpdate(set={name: f"b.{name}" for name in ("last_seen", "inferred_type", "status", "observations",
                                                             GROUPS, COLUMN_NAME)})
     .whenNotMatchedInsertAll().execute())
    return migrated


def update_key_registry(spark: SparkSession, registry_path: str, keys: Sequence[DiscoveredKey],
                        seen_at: dt.datetime | None = None, prefix: str = "ext_",
                        taken: Sequence[str] = ()) -> RegistryUpdate:
    """``plan_registry_update`` and ``commit_registry_update`` in one call (see both)."""
    plan = plan_registry_update(spark, registry_path, keys, seen_at, prefix, taken)
    migrated = commit_registry_update(spark, registry_path, plan)
    return RegistryUpdate(plan.update.new_keys, plan.update.widened, plan.update.promoted,
                          plan.update.groups_added, migrated)


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
