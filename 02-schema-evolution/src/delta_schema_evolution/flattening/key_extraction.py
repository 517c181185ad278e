"""Extraction of registered keys into typed columns without exploding the map: ``getItem`` + ``try_cast``
for scalars, ``from_json`` for JSON structs and arrays, each key looked up only on rows whose group
carries it, plus the guard that lists every entry no column took (``_unextracted_keys``) and the reason a
row's values failed (``_extraction_reason``).

Example::

    flat = extract_registered_keys(readings, "customExtension", {"spindle_rpm": "int"},
                                   group_column="machine_type", key_groups={"spindle_rpm": ("cnc_lathe",)})
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.errors import SchemaInputError
from delta_schema_evolution.flattening.key_columns import assign_columns
from delta_schema_evolution.flattening.key_types import is_json_type, parse_type
from delta_schema_evolution.flattening.map_checks import check_group_column, check_map_column

EXTRACTION_REASON = "_extraction_reason"
EXTRACTED_ENTRIES = "_extracted_entries"
UNEXTRACTED_KEYS = "_unextracted_keys"
HELPER_COLUMNS = (EXTRACTION_REASON, EXTRACTED_ENTRIES, UNEXTRACTED_KEYS)  # never handed out to a key
_CORRUPT = "_corrupt_record"


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
