"""The benchmark's pieces on tiny data, so they cannot rot: the generator has >= 40 keys from several
machine types, discovery learns each key's machine types, the naive path, the progressive path and the
floor's already-flat table are the same table, the cross-check sees that, runs rotate, variants alternate."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality

pytestmark = pytest.mark.bench


@pytest.fixture
def generator(load_script):
    return load_script("benchmarks/extension_generator.py")


@pytest.fixture
def bench(generator, load_script):
    # loaded after the generator: the benchmark imports it by name, as when run from benchmarks/
    return load_script("benchmarks/flatten_benchmark.py")


def test_the_generator_gives_each_machine_type_its_own_keys_and_at_least_40_in_all(spark, generator):
    readings = generator.generate_readings(spark, rows=16).collect()
    assert len(generator.distinct_keys()) >= 40 and len(generator.MACHINE_TYPE_KEYS) >= 5
    for reading in readings:
        own_keys = set(generator.MACHINE_TYPE_KEYS[reading["machine_type"]]) | {"firmware_version", "operator_shift"}
        assert set(reading["customExtension"]) == own_keys


def test_naive_pivot_getitem_extraction_and_the_floor_input_are_the_same_table(spark, tmp_path, generator, bench):
    readings = generator.generate_readings(spark, rows=24)
    keys = generator.distinct_keys()
    outputs = {bench.NAIVE: str(tmp_path / "naive"), bench.PROGRESSIVE: str(tmp_path / "progressive"),
               bench.FLOOR: str(tmp_path / "floor")}
    key_groups = bench.learned_key_groups(readings)
    naive = bench.naive_flatten(readings, keys)
    progressive = bench.progressive_flatten(readings, keys, key_groups)
    naive.write.format("delta").save(outputs[bench.NAIVE])
    progressive.write.format("delta").save(outputs[bench.PROGRESSIVE])
    bench.already_flat(readings, keys).write.format("delta").save(outputs[bench.FLOOR])

    checks = bench.cross_check(spark, outputs)

    assert key_groups["spindle_rpm"] == ("cnc_lathe", "cnc_mill") and len(key_groups["firmware_version"]) == 8
    assert checks[bench.PROGRESSIVE]["unextracted_entries"] == 0 and bench.outputs_match(checks, rows=24)
    assert_df_equality(spark.read.format("delta").load(outputs[bench.PROGRESSIVE]).drop("_unextracted_keys"),
                       spark.read.format("delta").load(outputs[bench.NAIVE]), ignore_row_order=True)


def test_a_key_on_a_machine_type_the_sample_missed_is_kept_and_fails_the_cross_check(spark, tmp_path, generator,
                                                                                       bench):
    readings = generator.generate_readings(spark, rows=24)
    groups = bench.learned_key_groups(readings)
    groups["spindle_rpm"] = ("cnc_mill",)  # as if the sample had not seen a lathe
    outputs = {bench.NAIVE: str(tmp_path / "naive"), bench.PROGRESSIVE: str(tmp_path / "progressive")}
    bench.naive_flatten(readings, generator.distinct_keys()).write.format("delta").save(outputs[bench.NAIVE])
    bench.progressive_flatten(readings, generator.distinct_keys(), groups).write.format("delta").save(
        outputs[bench.PROGRESSIVE])

    checks = bench.cross_check(spark, outputs)

    assert checks[bench.PROGRESSIVE]["unextracted_entries"] == 3  # the 3 lathe readings' spindle_rpm, not lost
    assert not bench.outputs_match(checks, rows=24)


def test_paths_rotate_and_the_two_variants_alternate_their_order(bench):
    P, N, F = bench.PROGRESSIVE, bench.NAIVE, bench.FLOOR
    assert bench.schedule(3) == [P, N, F, N, F, P, F, P, N]
    assert bench.variant_order(1) == [bench.END_TO_END, bench.FLATTEN_ONLY]
    assert bench.variant_order(2) == [bench.FLATTEN_ONLY, bench.END_TO_END]


def test_the_summary_reports_median_worst_and_ratios_to_the_floor(bench):
    def run(path, repetition, end_to_end, flatten_only):
        return {"path": path, "repetition": repetition, "end_to_end_seconds": end_to_end,
                "flatten_only_seconds": flatten_only, "end_to_end_cpu_s": 1.0, "end_to_end_gc_s": 0.1,
                "flatten_only_cpu_s": 1.0, "flatten_only_gc_s": 0.1, "end_to_end_shuffle_write_bytes": 0,
                "peak_jvm_heap_mib": 100, "jvm_peak_rss_mib": 200, "registry_discovery_seconds": 1.0,
                "load_avg_at_start": [1.5, 1.0, 1.0], "load_avg_at_end": [2.5, 1.0, 1.0]}
    runs = [run(bench.PROGRESSIVE, r, e, e / 2) for r, e in ((1, 20.0), (2, 22.0), (3, 30.0))]
    runs += [run(bench.NAIVE, r, e, e) for r, e in ((1, 44.0), (2, 48.0), (3, 57.0))]
    runs += [{**run(bench.FLOOR, r, e, 5.0), "end_to_end_cpu_s": 0.5} for r, e in ((1, 15.0), (2, 16.0), (3, 17.0))]

    summary = bench.summarize(runs, rows=24, checks={})

    assert summary["progressive_getitem_end_to_end_median_seconds"] == 22.0
    assert summary["progressive_getitem_end_to_end_worst_seconds"] == 30.0
    assert summary["progressive_getitem_over_floor_end_to_end_median"] == round(22.0 / 16.0, 2)
    assert summary["naive_explode_pivot_over_floor_end_to_end_median"] == 3.0
    assert summary["progressive_getitem_over_floor_end_to_end_cpu_median"] == 2.0  # executor CPU, not wall
    assert (summary["load_avg_1m_lowest"], summary["load_avg_1m_highest"]) == (1.5, 2.5)
    assert summary["repetitions_per_path"] == 3
