"""Progressive flattening of a ``MAP<STRING,STRING>`` column (customExtension) without exploding it.

This module holds the per-row work: sampled key discovery (``discover_keys``, optionally recording which
values of a group column such as ``machine_type`` carry each key), extraction of registered keys into
typed columns with ``getItem`` + ``try_cast`` or ``from_json`` (``extract_registered_keys``, looking a key
up only on rows whose group carries it, with a guard that keeps every other entry), and the column-count
guard (``guard_column_count``). The registry lives in ``key_registry``, the flat and
dynamic tables in ``flat_table`` and ``dynamic_keys``, and ``progressive.progressive_flatten`` runs the
whole method in order.

Example::

    keys = discover_keys(readings, "customExtension", sample_rows=10_000, min_share=0.01,
                         group_column="machine_type")
    update_key_registry(spark, registry_path, keys)
    flat = extract_registered_keys(readings, "customExtension", registered_keys(spark, registry_path),
                                   group_column="machine_type",
                                   key_groups=registered_key_groups(spark, registry_path))
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.column_names import assign_columns
from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError
from delta_schema_evolution.key_registry import DYNAMIC, REGISTERED, DiscoveredKey
from delta_schema_evolution.key_types import infer_type, is_json_type, parse_type

EXTRACTION_REASON = "_extraction_reason"
EXTRACTED_ENTRIES = "_extracted_entries"
UNEXTRACTED_KEYS = "_unextracted_keys"
HELPER_COLUMNS = (EXTRACTION_REASON, EXTRACTED_ENTRIES, UNEXTRACTED_KEYS)  # never handed out to a key
_CORRUPT = "_corrupt_record"


class TableTooWideWarning(UserWarning):
    """The flattened table is approaching the column limit you set."""


class TableTooWideError(SchemaEvolutionError):
    """Adding the new key columns would exceed the hard column limit."""


def check_map_column(frame: DataFrame, map_column: str) -> None:
    """Raise ``SchemaInputError`` unless ``map_column`` exists and is ``MAP<STRING,STRING>``."""
    if map_column not in frame.columns:
        raise SchemaInputError(f"map_column: expected one of {frame.columns}, got {map_column!r}")
    data_type = frame.schema[map_column].dataType
    if not (isinstance(data_type, T.MapType) and isinstance(data_type.keyType, T.StringType)
            and isinstance(data_type.valueType, T.StringType)):
        raise SchemaInputError(f"{map_column}: expected map<string,string>, got {data_type.simpleString()}")


def check_group_column(frame: DataFrame, group_column: str, map_column: str) -> None:
    """Raise ``SchemaInputError`` unless ``group_column`` is a string column other than ``map_column``."""
    if group_column not in frame.columns or group_column == map_column:
        raise SchemaInputError(f"group_column: expected one of {[c for c in frame.columns if c != map_column]}, "
                               f"got {group_column!r}")
    data_type = frame.schema[group_column].dataType
    if not isinstance(data_type, T.StringType):
        raise SchemaInputError(f"{group_column}: expected a string group column, got {data_type.simpleString()}")


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


def _scalar(raw: Column, key: str, type_name: str) -> tuple[Column, Column | None]:
    if type_name == "string":
        return raw, None  # every string fits: no cast, no failure check (keeps the projection small)
    typed = raw.try_cast(type_name)
    return typed, F.when(raw.isNotNull() & typed.isNull(),
                         F.concat(F.lit(f"{key}: "), raw, F.lit(f" is not {type_name}")))


def _json(raw: Column, key: str, type_name: str, field_names: list[str]) -> tuple[Column, Column]:
    """from_json with a corrupt-record field for structs, so malformed or mistyped values are caught; a
    struct value with top-level fields the registered schema does not know is flagged too (from_json
    would drop them silently)."""
    reason = F.concat(F.lit(f"{key}: "), raw, F.lit(f" does not parse as {type_name}"))
    if type_name.startswith("array<"):
        parsed = F.from_json(raw, type_name)
        return parsed, F.when(raw.isNotNull() & parsed.isNull(), reason)
    with_corrupt = f"{type_name[:-1]},`{_CORRUPT}`:string>"
    parsed = F.from_json(raw, with_corrupt, {"columnNameOfCorruptRecord": _CORRUPT, "mode": "PERMISSIVE"})
    known = F.array(*[F.lit(name) for name in field_names])
    unknown = F.filter(F.json_object_keys(raw), lambda name: ~F.array_contains(known, name))
    failed = raw.isNotNull() & (parsed[_CORRUPT].isNotNull() | (F.size(unknown) > 0))
    return parsed.dropFields(_CORRUPT), F.when(failed, reason)


def _lookup(map_column: str, key: str, group_column: str | None, groups: Sequence[str] | None) -> Column:
    """``getItem(key)``, guarded by the key's groups when they are known (other rows skip the map scan)."""
    value = F.col(map_column).getItem(key)
    if group_column is None or groups is None:
        return value
    if not groups:
        return F.lit(None).cast("string")
    return F.when(F.col(group_column).isin(*groups), value)


def unextracted_keys(map_column: str, extracted: Mapping[str, Column]) -> Column:
    """The keys of the row's map whose value is in no column: keys not looked up on this row (unregistered,
    or registered for other groups) and keys with a null value. ``extracted`` is ``{key: looked-up value}``.

    Hot path: a row whose map size equals its count of non-null extracted values has none (an empty array);
    only the other rows compute ``array_except(map_keys(map), <keys with a non-null value>)``. Built from
    expressions Spark compiles (no lambda: ``map_filter`` or ``array_compact`` would take the whole
    projection out of whole-stage code generation).
    """
    size = F.when(F.col(map_column).isNull(), F.lit(0)).otherwise(F.size(map_column))
    count = reduce(lambda total, one: total + one, [v.isNotNull().cast("int") for v in extracted.values()], F.lit(0))
    # null where a key's value is absent; array_except ignores those, since a map key is never null
    found = (F.array(*[F.when(v.isNotNull(), F.lit(k)) for k, v in extracted.items()]) if extracted
             else F.array().cast("array<string>"))
    return F.when(size == count, F.array().cast("array<string>")).otherwise(
        F.array_except(F.map_keys(map_column), found))


def _checked_key_groups(frame: DataFrame, map_column: str, group_column: str | None,
                        key_groups: Mapping[str, Sequence[str] | None] | None) -> Mapping[str, Sequence[str] | None]:
    if group_column is None:
        if key_groups:
            raise SchemaInputError("group_column: expected the group column that key_groups refers to, got None")
        return {}
    check_group_column(frame, group_column, map_column)
    return key_groups or {}


def _checked_columns(frame: DataFrame, keys: Mapping[str, str], prefix: str,
                     columns: Mapping[str, str] | None) -> dict[str, str]:
    taken = [*frame.columns, *HELPER_COLUMNS]
    if columns is None:
        return assign_columns(list(keys), prefix, taken=taken)
    missing = [key for key in keys if key not in columns]
    named = [columns[key].lower() for key in keys if key in columns]
    clashes = sorted({name for name in named if named.count(name) > 1 or name in {t.lower() for t in taken}})
    if missing or clashes:
        raise SchemaInputError(f"columns: expected a distinct column per key, none equal to a column of "
                               f"{frame.columns}, got keys without a column {missing}, clashing names {clashes}")
    return {key: columns[key] for key in keys}


def extract_registered_keys(frame: DataFrame, map_column: str, keys: Mapping[str, str], prefix: str = "ext_",
                            group_column: str | None = None,
                            key_groups: Mapping[str, Sequence[str] | None] | None = None,
                            columns: Mapping[str, str] | None = None) -> DataFrame:
    """One typed column per registered key via ``getItem`` (a projection: no explode, no shuffle):
    scalars with ``try_cast``, JSON structs/arrays with ``from_json``; plus ``_extraction_reason`` naming
    every key whose value failed its cast or parse (null when all fit).

    With ``group_column`` and ``key_groups`` (``{key: groups}``, None or absent = every row), a key is
    looked up only on rows whose group carries it. Nothing is dropped: ``_extracted_entries`` counts the
    row's non-null extracted values and ``_unextracted_keys`` lists every other key of the map (a key
    registered for other groups, an unregistered key, a null value), computed only for rows where the
    map's size differs from that count; ``dynamic_keys.explode_unextracted_entries`` turns them into the
    long lane.

    ``columns`` (``{key: column}``, e.g. from the key registry) names each key's column; without it the
    names come from ``column_names.assign_columns`` in the keys' order, avoiding the frame's columns.
    Either way two keys never share a column (``spindle-rpm`` beside ``spindle_rpm``: ``ext_spindle_rpm_2``).

    Example::

        flat = extract_registered_keys(readings, "customExtension", {"spindle_rpm": "int",
                                       "spindle": "struct<`rpm`:bigint,`unit`:string>"},
                                       group_column="machine_type",
                                       key_groups={"spindle_rpm": ["cnc_lathe", "cnc_mill"]})
    """
    check_map_column(frame, map_column)
    groups_by_key = _checked_key_groups(frame, map_column, group_column, key_groups)
    names = _checked_columns(frame, keys, prefix, columns)
    # Two projections: the lookups first, one column each; then casts, the count and the guard read those
    # columns. Spark keeps them apart (each lookup is read several times), so every map scan runs once;
    # folding the count into the lookups' projection made it several times slower.
    raw_names = {key: f"__raw_{index}" for index, key in enumerate(keys)}
    staged = frame.select("*", *[_lookup(map_column, key, group_column, groups_by_key.get(key)).alias(raw_names[key])
                                 for key in keys])
    typed_columns, failures, looked_up = [], [], {}
    for key, type_name in keys.items():
        raw = looked_up[key] = F.col(raw_names[key])
        if is_json_type(type_name):
            parsed_type = parse_type(frame.sparkSession, type_name)
            field_names = parsed_type.fieldNames() if isinstance(parsed_type, T.StructType) else []
            typed, failure = _json(raw, key, type_name, field_names)
        else:
            typed, failure = _scalar(raw, key, type_name)
        typed_columns.append(typed.alias(names[key]))
        if failure is not None:
            failures.append(failure)
    reason = F.concat_ws("; ", *failures) if failures else F.lit("")
    count = reduce(lambda total, one: total + one, [v.isNotNull().cast("int") for v in looked_up.values()], F.lit(0))
    return staged.select(*[F.col(f"`{c}`") for c in frame.columns], *typed_columns,
                         F.when(reason != "", reason).cast("string").alias(EXTRACTION_REASON),
                         count.alias(EXTRACTED_ENTRIES),
                         unextracted_keys(map_column, looked_up).alias(UNEXTRACTED_KEYS))


def guard_column_count(current_columns: int, new_columns: int, warn_at: int = 400, fail_at: int = 1000) -> int:
    """Warn (``TableTooWideWarning``) when the total reaches ``warn_at``; raise ``TableTooWideError``
    above ``fail_at``. Returns the total.

    Example::

        >>> guard_column_count(100, 20)
        120
    """
    total = current_columns + new_columns
    if total > fail_at:
        raise TableTooWideError(f"column count: expected at most {fail_at}, got {total} "
                                f"({current_columns} existing + {new_columns} new key columns)")
    if total >= warn_at:
        warnings.warn(f"column count {total} reached the warning threshold {warn_at} (hard limit {fail_at})",
                      TableTooWideWarning, stacklevel=2)
    return total
