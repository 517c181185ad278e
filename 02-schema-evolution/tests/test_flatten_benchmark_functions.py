"""The benchmark's pieces on tiny data, so they cannot rot: the generator has >= 40 keys from several
machine types, discovery learns each key's machine types, both paths compute the same table, the
cross-check sees that, runs alternate."""
from __future__ import annotations

from extension_generator import MACHINE_TYPE_KEYS, distinct_keys, generate_readings
from flatten_benchmark import (
    NAIVE,
    PROGRESSIVE,
    cross_check,
    learned_key_groups,
    naive_flatten,
    outputs_match,
    progressive_flatten,
    schedule,
)


def test_the_generator_gives_each_machine_type_its_own_keys_and_at_least_40_in_all(spark):
    readings = generate_readings(spark, rows=16).collect()
    assert len(distinct_keys()) >= 40 and len(MACHINE_TYPE_KEYS) >= 5
    for reading in readings:
        own_keys = set(MACHINE_TYPE_KEYS[reading["machine_type"]]) | {"firmware_version", "operator_shift"}
        assert set(reading["customExtension"]) == own_keys


def test_naive_pivot_and_getitem_extraction_write_the_same_table(spark, tmp_path):
    readings = generate_readings(spark, rows=24)
    outputs = {NAIVE: str(tmp_path / "naive"), PROGRESSIVE: str(tmp_path / "progressive")}
    naive_flatten(readings, distinct_keys()).write.format("delta").save(outputs[NAIVE])
    key_groups = learned_key_groups(readings)
    progressive_flatten(readings, distinct_keys(), key_groups).write.format("delta").save(outputs[PROGRESSIVE])

    checks = cross_check(spark, outputs)

    assert key_groups["spindle_rpm"] == ("cnc_lathe", "cnc_mill") and len(key_groups["firmware_version"]) == 8
    assert checks[PROGRESSIVE]["unextracted_entries"] == 0 and outputs_match(checks, rows=24)
    naive = {r["reading_id"]: r.asDict() for r in spark.read.format("delta").load(outputs[NAIVE]).collect()}
    progressive = {r["reading_id"]: r.asDict() for r in spark.read.format("delta").load(outputs[PROGRESSIVE])
                   .drop("_unextracted_keys").collect()}
    assert naive == progressive


def test_a_key_on_a_machine_type_the_sample_missed_is_kept_and_fails_the_cross_check(spark, tmp_path):
    readings = generate_readings(spark, rows=24)
    groups = learned_key_groups(readings)
    groups["spindle_rpm"] = ("cnc_mill",)  # as if the sample had not seen a lathe
    outputs = {NAIVE: str(tmp_path / "naive"), PROGRESSIVE: str(tmp_path / "progressive")}
    naive_flatten(readings, distinct_keys()).write.format("delta").save(outputs[NAIVE])
    progressive_flatten(readings, distinct_keys(), groups).write.format("delta").save(outputs[PROGRESSIVE])

    checks = cross_check(spark, outputs)

    assert checks[PROGRESSIVE]["unextracted_entries"] == 3  # the 3 lathe readings' spindle_rpm, not lost
    assert not outputs_match(checks, rows=24)


def test_runs_alternate_between_the_paths():
    assert schedule(3) == [PROGRESSIVE, NAIVE, NAIVE, PROGRESSIVE, PROGRESSIVE, NAIVE]
