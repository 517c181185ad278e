"""Property-based tests: for any generated batch, passed + quarantined = input, deduplication is
idempotent, and no passed row violates a rule that quarantines or blocks.

Hypothesis generates at least 200 batches per property. Each generated batch gets its own
``example`` id (part of every key), and all of them are checked by ONE Spark evaluation, so the
property is judged per batch without starting 200 Spark jobs. The price is that hypothesis does not
shrink a failing batch; the assertion message names the batch instead.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from chispa import assert_df_equality
from helpers import NOW, READING_SCHEMA, SENSOR_CONTRACT_PATH, machines, minutes
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from plant_data_quality import FAILED_RULES_COLUMN, evaluate_contract, keep_first_per_key, load_contract

EXAMPLES = 200
KNOWN_MACHINES = ("M-0001", "M-0002", "M-0003")
GENERATION_ONLY = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate])

timestamps = st.one_of(st.none(), st.integers(-60 * 24 * 10, 60).map(minutes))
measurements = st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False),
                         st.sampled_from([-40.0, 0.0, 100.0, 400.0, 400.0001, float("inf")]))
machine_ids = st.one_of(st.none(), st.sampled_from([*KNOWN_MACHINES, "M-9999", "M-12", "press-7"]),
                        st.text(alphabet="M-0123456789x", max_size=7))
reading_rows = st.fixed_dictionaries({
    "event_id": st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])),
    "machine_id": machine_ids,
    "event_time": timestamps,
    "ingested_at": timestamps,
    "temperature_c": measurements,
    "vibration_mm_s": measurements,
    "pressure_bar": measurements,
    "status": st.one_of(st.none(), st.sampled_from(["running", "idle", "fault", "maintenance", "RUNNING", ""])),
    "firmware_version": st.one_of(st.none(), st.sampled_from(["2.1.0", "1.4.2", "beta", "2.1"])),
})
batches = st.lists(reading_rows, max_size=8)


def generated_batches(strategy=batches) -> list[list[dict]]:
    collected: list[list[dict]] = []

    @GENERATION_ONLY
    @given(strategy)
    def collect(batch):
        collected.append(batch)

    collect()
    assert len(collected) >= EXAMPLES
    return collected


def as_frame(spark, generated):
    """One DataFrame of every generated batch; event ids are prefixed with the batch number."""
    rows = []
    for number, batch in enumerate(generated):
        for position, row in enumerate(batch):
            event_id = None if row["event_id"] is None else f"{number}:{row['event_id']}"
            rows.append((number, position, *[{**row, "event_id": event_id}[f.name] for f in READING_SCHEMA.fields]))
    schema = f"example int, position int, {', '.join(f'{f.name} {f.dataType.simpleString()}' for f in READING_SCHEMA)}"
    return spark.createDataFrame(rows, schema)


def oracle_failures(row: dict, duplicated_ids: set[str]) -> set[str]:
    """The rules a row violates, written independently of the engine, straight from the contract."""
    failures = set()
    for column in ("event_id", "machine_id", "event_time"):
        if row[column] is None:
            failures.add(f"{column}_not_null")
    for rule, column, low, high in (("temperature_in_range", "temperature_c", -40, 400),
                                    ("vibration_in_range", "vibration_mm_s", 0, 100),
                                    ("pressure_in_range", "pressure_bar", 0, 400)):
        if row[column] is not None and not low <= row[column] <= high:
            failures.add(rule)
    if row["status"] is not None and row["status"] not in ("running", "idle", "fault", "maintenance"):
        failures.add("status_known")
    if row["machine_id"] is not None and not re.search(r"^M-[0-9]{4}$", row["machine_id"]):
        failures.add("machine_id_format")
    if row["firmware_version"] is not None and not re.search(r"^[0-9]+\.[0-9]+\.[0-9]+$", row["firmware_version"]):
        failures.add("firmware_version_format")
    if row["event_id"] in duplicated_ids:
        failures.add("event_id_unique")
    if row["machine_id"] is not None and row["machine_id"] not in KNOWN_MACHINES:
        failures.add("machine_known")
    if row["event_time"] is not None and row["event_time"] < NOW - dt.timedelta(days=7):
        failures.add("event_fresh")
    if row["event_time"] is not None and row["ingested_at"] is not None and row["ingested_at"] < row["event_time"]:
        failures.add("ingested_after_event")
    return failures


@pytest.fixture(scope="module")
def evaluated(spark):
    generated = generated_batches()
    contract = load_contract(SENSOR_CONTRACT_PATH)
    frame = as_frame(spark, generated)
    run = evaluate_contract(frame, contract, now=NOW, dimensions={"machines": machines(spark, KNOWN_MACHINES)})
    return generated, contract, run


def test_for_any_batch_passed_plus_quarantined_equals_input(evaluated):
    generated, _, run = evaluated
    passed = dict(run.passed_rows.groupBy("example").count().collect())
    quarantined = dict(run.quarantined_rows.groupBy("example").count().collect())

    for number, batch in enumerate(generated):
        assert passed.get(number, 0) + quarantined.get(number, 0) == len(batch), f"batch {number}: {batch}"
    assert run.rows_in == sum(map(len, generated)) == run.rows_passed + run.rows_quarantined


def test_no_passed_row_violates_a_quarantine_or_block_rule_and_failed_rules_name_exactly_the_violations(evaluated):
    generated, contract, run = evaluated
    gating = {rule.name for rule in contract.row_rules if rule.on_fail in ("quarantine", "block")}
    decided = {(row.example, row.position): set(row[FAILED_RULES_COLUMN] or [])
               for row in run.quarantined_rows.select("example", "position", FAILED_RULES_COLUMN).collect()}
    passed = {(row.example, row.position) for row in run.passed_rows.select("example", "position").collect()}

    for number, batch in enumerate(generated):
        ids = [None if row["event_id"] is None else f"{number}:{row['event_id']}" for row in batch]
        duplicated = {event_id for event_id in ids if event_id is not None and ids.count(event_id) > 1}
        for position, row in enumerate(batch):
            expected = oracle_failures({**row, "event_id": ids[position]}, duplicated)
            if (number, position) in passed:
                assert not expected & gating, f"batch {number} row {position} passed but violates {expected}"
            else:
                assert decided[(number, position)] == expected, f"batch {number} row {position}: {row}"


def test_deduplication_is_idempotent_for_any_batch(spark):
    generated = generated_batches()
    frame = as_frame(spark, generated).select("example", "position", "event_id", "ingested_at", "temperature_c")

    once = keep_first_per_key(frame, ["example", "event_id"], order_by="ingested_at")
    twice = keep_first_per_key(once, ["example", "event_id"], order_by="ingested_at")

    assert_df_equality(twice, once, ignore_row_order=True)
    per_batch_keys = {(number, row["event_id"]) for number, batch in enumerate(generated) for row in batch}
    assert once.count() == len(per_batch_keys)
