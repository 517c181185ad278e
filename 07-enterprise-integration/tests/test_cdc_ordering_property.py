"""Property: however a change history is reordered, duplicated and cut into micro-batches, the table
the apply step leaves equals the source table the history produced (applying it in order).

Each hypothesis example is 200 histories, each on keys of its own, built from drawn seeds: the
source's own changes (snapshot reads, inserts, updates, deletes, primary-key changes) and a delivery
of them that is shuffled, has repeats, and is cut into up to four micro-batches. The histories'
batches are applied together (disjoint keys never interact), so 200 of them cost one Spark run.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from chispa import assert_df_equality
from helpers import change, kafka_rows, tombstone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprise_integration import CdcTarget, apply_change_batch

HISTORIES_PER_EXAMPLE = 200
KEYS_PER_HISTORY = 4
STATUSES = ("new", "started", "done", "scrapped")


@dataclass
class History:
    """A source table's change history on keys ``base + 1 .. base + KEYS_PER_HISTORY`` (and new keys)."""

    messages: list[tuple[str | None, str | None]]
    final_rows: dict[int, str]


def build_history(seed: int, base: int) -> History:
    rng = random.Random(seed)
    rows: dict[int, str] = {}
    messages: list[tuple[str | None, str | None]] = []
    for key in range(base + 1, base + 1 + KEYS_PER_HISTORY):
        if rng.random() < 0.5:  # rows that exist when the snapshot is taken (lsn 10)
            rows[key] = rng.choice(STATUSES)
            messages.append(change("r", key, 10, {"status": rows[key], "qty": "1.00"}))
    lsn, next_key = 20, base + 100
    for _ in range(rng.randrange(1, 10)):
        lsn += rng.randrange(1, 4)
        key = rng.randrange(base + 1, base + 1 + KEYS_PER_HISTORY)
        status = rng.choice(STATUSES)
        roll = rng.random()
        if key not in rows:
            rows[key] = status
            messages.append(change("c", key, lsn, {"status": status, "qty": "1.00"}))
        elif roll < 0.55:
            rows[key] = status
            messages.append(change("u", key, lsn, {"status": status, "qty": "1.00"}))
        elif roll < 0.85:
            del rows[key]
            messages += [change("d", key, lsn), tombstone(key)]
        else:  # UPDATE ... SET id = new_key: delete + tombstone + create at one lsn
            rows[next_key] = rows.pop(key)
            messages += [change("d", key, lsn), tombstone(key),
                         change("c", next_key, lsn, {"status": rows[next_key], "qty": "1.00"})]
            next_key += 1
    return History(messages, rows)


def scrambled_batches(history: History, seed: int, batches: int) -> list[list[tuple[str | None, str | None]]]:
    """The history's messages with repeats, shuffled, cut into ``batches`` consecutive slices."""
    rng = random.Random(seed)
    delivered = list(history.messages)
    delivered += [rng.choice(history.messages) for _ in range(rng.randrange(0, 4))]  # replays
    rng.shuffle(delivered)
    cuts = sorted(rng.randrange(0, len(delivered) + 1) for _ in range(batches - 1))
    bounds = [0, *cuts, len(delivered)]
    return [delivered[bounds[i]:bounds[i + 1]] for i in range(batches)]


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=HISTORIES_PER_EXAMPLE, max_size=HISTORIES_PER_EXAMPLE),
    batches=st.integers(1, 4),
)
def test_any_reordering_duplication_and_batching_of_a_history_yields_the_in_order_table(
    spark, tmp_path_factory, seeds, batches
):
    path = str(tmp_path_factory.mktemp("property") / "work_orders")
    target = CdcTarget(path, key_columns=("id",))
    histories = [build_history(seed, base=index * 1000) for index, seed in enumerate(seeds)]
    delivery = [scrambled_batches(h, seed, batches) for h, seed in zip(histories, seeds, strict=True)]
    offset = 0
    totals = {"events_in": 0, "accounted": 0}
    for batch_index in range(batches):
        messages = [m for plan in delivery for m in plan[batch_index]]
        if not messages:
            continue
        counts = apply_change_batch(spark, kafka_rows(spark, messages, first_offset=offset), target, batch_index)
        offset += len(messages)
        totals["events_in"] += counts.events_in
        totals["accounted"] += counts.applied + counts.stale + counts.tombstones + counts.quarantined

    expected_rows = sorted((key, status) for h in histories for key, status in h.final_rows.items())
    actual = spark.read.format("delta").load(path).select("id", "status").orderBy("id")
    assert_df_equality(actual, spark.createDataFrame(expected_rows, "id long, status string").orderBy("id"),
                       ignore_nullable=True)
    assert totals["events_in"] == offset == totals["accounted"]
