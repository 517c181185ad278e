"""Facts loaded with the unknown member (-1) are re-keyed once the late dimension rows arrive."""

from __future__ import annotations

from helpers import local_frame, ts

from manufacturing_star_schema import Scd2Spec, assert_scd2_invariants, merge_scd2
from manufacturing_star_schema.fact_rekey import rekey_unknown_members
from manufacturing_star_schema.facts import build_sensor_reading_facts

SPEC = Scd2Spec(natural_key=("machine_id",))
READINGS = (
    "reading_id string, machine_id string, sensor_type string, event_ts timestamp, "
    "reading_value double, ingested_at timestamp"
)


def fact_keys(spark, path):
    return {r.reading_id: r.machine_sk for r in spark.read.format("delta").load(path).collect()}


def test_unknown_member_facts_get_the_version_valid_at_event_time_without_loss_or_duplicates(
    spark, empty_dim_machine, tmp_path, changes
):
    dim_path, fact_path = empty_dim_machine(tmp_path / "dim_machine"), str(tmp_path / "fact_sensor_readings")
    merge_scd2(spark, dim_path, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), SPEC)
    readings = local_frame(
        spark,
        [
            ("r1", "M1", "temp", ts(3), 70.0, ts(3)),  # known machine: keyed at load
            ("r2", "M9", "temp", ts(3), 71.0, ts(3)),  # M9 not in the dimension yet: -1
            ("r3", "M9", "temp", ts(6), 72.0, ts(6)),  # -1, will fall in M9's second version
            ("r4", "M9", "vibration", ts(6), 0.2, ts(6)),  # same machine and instant as r3
            ("r5", "M9", "temp", ts(1), 69.0, ts(1)),  # before M9's first version: stays -1
        ],
        READINGS,
    )
    facts, quarantine = build_sensor_reading_facts(readings, spark.read.format("delta").load(dim_path))
    facts.write.format("delta").save(fact_path)
    loaded = fact_keys(spark, fact_path)
    assert [loaded[r] for r in ("r2", "r3", "r4", "r5")] == [-1, -1, -1, -1]
    assert quarantine.count() == 0

    # M9's configuration history arrives late: installed on day 2, firmware upgrade on day 5
    merge_scd2(spark, dim_path, changes([("M9", "L2", "fw-1.0", 900, ts(2)), ("M9", "L2", "fw-2.0", 900, ts(5))]), SPEC)
    dim = spark.read.format("delta").load(dim_path)
    version = {r.firmware: r.machine_sk for r in dim.filter("machine_id = 'M9'").collect()}

    result = rekey_unknown_members(spark, fact_path, dim, {"machine_id": "machine_id"}, "event_ts", "machine_sk")

    assert result.rekeyed_rows == 3
    assert fact_keys(spark, fact_path) == {
        "r1": loaded["r1"],  # untouched
        "r2": version["fw-1.0"],
        "r3": version["fw-2.0"],
        "r4": version["fw-2.0"],
        "r5": -1,  # no version of M9 was valid on day 1
    }
    table = spark.read.format("delta").load(fact_path)
    assert table.count() == readings.count() == table.select("reading_id").distinct().count()
    assert [tuple(r) for r in result.still_unknown.collect()] == [("M9", 1)]
    assert_scd2_invariants(dim, ["machine_id"])

    rerun = rekey_unknown_members(spark, fact_path, dim, {"machine_id": "machine_id"}, "event_ts", "machine_sk")

    assert rerun.rekeyed_rows == 0
    assert fact_keys(spark, fact_path) == {
        "r1": loaded["r1"],
        "r2": version["fw-1.0"],
        "r3": version["fw-2.0"],
        "r4": version["fw-2.0"],
        "r5": -1,
    }
    assert spark.read.format("delta").load(fact_path).count() == readings.count()
