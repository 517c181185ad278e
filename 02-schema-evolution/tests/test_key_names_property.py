"""Whatever key names firmware sends (dashes, dots, case variants, unicode, reserved words, names equal to
fixed or helper columns), flattening hands out distinct columns, never fails a later clean batch, and
loses nothing: rows in = written + quarantined, map entries in = in columns + long lane + quarantined.

The naming and registry logic runs as pure Python on 300 generated examples; every tricky name then runs
through the whole method on real Spark + Delta."""
from __future__ import annotations

import datetime as dt

from helpers import READINGS_SCHEMA, flattening_tables
from hypothesis import given, settings
from hypothesis import strategies as st

from delta_schema_evolution import FlatteningSettings, assign_columns, progressive_flatten
from delta_schema_evolution.flattening.key_extraction import HELPER_COLUMNS
from delta_schema_evolution.flattening.key_registry import registry_entries

FIXED_COLUMNS = ["reading_id", "machine_type"]
TRICKY = ["spindle_rpm", "spindle-rpm", "Spindle_RPM", "spindle.rpm", "spindle rpm", "SPINDLE-RPM", "select",
          "from", "null", "reading_id", "machine_type", "customExtension", "_extraction_reason",
          "_unextracted_keys", "ext_spindle_rpm", "ext_spindle_rpm_2", "spindle_rpm_2", "temp°c", "温度", "ü", "",
          "a`b", "a.b.c", "__raw_0"]
KEY_NAMES = st.one_of(st.sampled_from(TRICKY), st.text(max_size=6))
PREFIXES = st.sampled_from(["ext_", ""])


def apply_batch(known: dict[str, dict[str, object]], keys: list[str], prefix: str, taken: list[str],
                seen_at: int) -> dict[str, str]:
    """What a committed registry update does to the key -> column mapping (``plan_registry_update``'s logic)."""
    before = {key: entry.column_name for key, entry in registry_entries(known, prefix, taken).items()}
    fresh = assign_columns(sorted(k for k in set(keys) if k not in known), prefix, before, taken)
    for key, column in fresh.items():
        known[key] = {"first_seen": seen_at, "inferred_type": "string", "status": "registered", "groups": None,
                      "column_name": column}
    return {**before, **fresh}


@settings(max_examples=300, deadline=None)
@given(batches=st.lists(st.lists(KEY_NAMES, max_size=8), min_size=1, max_size=4), prefix=PREFIXES,
       legacy=st.booleans())
def test_every_key_gets_a_distinct_column_that_never_changes_and_never_equals_a_fixed_column(batches, prefix, legacy):
    taken = [*FIXED_COLUMNS, *HELPER_COLUMNS]
    known: dict[str, dict[str, object]] = {}
    columns: dict[str, str] = {}
    for seen_at, keys in enumerate(batches):
        if legacy:  # a registry from before column_name: every stored column reads null
            for row in known.values():
                row["column_name"] = None
        now = apply_batch(known, keys, prefix, taken, seen_at)
        assert set(now) == set(known) >= set(keys)
        assert all(now[key] == column for key, column in columns.items())  # assigned once, kept
        lowered = [column.lower() for column in now.values()]
        assert len(set(lowered)) == len(lowered)                            # no two keys share a column
        assert not set(lowered) & {name.lower() for name in taken}          # no fixed or helper column
        columns = now


def rows_carrying_every_tricky_name(names_per_row: int = 5) -> list[dict[str, str | None]]:
    """Every name of ``TRICKY`` in some row, a few per row, with values that type as numbers, text or null."""
    values = ["7", "12", "x", None]
    chunks = [TRICKY[start:start + names_per_row] for start in range(0, len(TRICKY), names_per_row)]
    return [{name: values[(row + offset) % len(values)] for offset, name in enumerate(chunk)}
            for row, chunk in enumerate(chunks)]


def test_every_tricky_key_name_flattens_without_loss_and_the_next_clean_batch_runs(spark, tmp_path_factory):
    rows = rows_carrying_every_tricky_name()
    base = tmp_path_factory.mktemp("names")
    tables = flattening_tables(base)
    options = FlatteningSettings(min_share=0.01)  # every key is promoted to a column of its own
    batches = [
        [(1, "lathe", {"spindle_rpm": "900"})],                                           # registered first
        [(index + 2, "lathe", {"spindle_rpm": "950", **row}) for index, row in enumerate(rows)],  # every tricky name
        [(90, "lathe", {"spindle_rpm": "990"}), (91, "mill", {"spindle_rpm": "995"})],    # clean
    ]
    for day, batch in enumerate(batches):
        frame = spark.createDataFrame(batch, READINGS_SCHEMA)
        report = progressive_flatten(spark, frame, "customExtension", ["reading_id"], tables, options,
                                     seen_at=dt.datetime(2026, 11, 16 + day))
        assert report.rows_in == len(batch) == report.rows_written + report.rows_quarantined
        assert report.entries_in == sum(len(entries) for _, _, entries in batch)
        assert report.entries_in == report.entries_flat + report.dynamic_entries + report.entries_quarantined
        if day == 1:  # the tricky names reached columns of their own, not only the long lane
            assert report.entries_flat > len(batch)
