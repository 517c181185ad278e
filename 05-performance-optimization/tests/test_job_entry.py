"""The job entry points the bundle's python_wheel_tasks call: parameters from argv, the active session."""
from __future__ import annotations

import json

import pytest

from spark_performance_analyzer import cluster_config
from spark_performance_analyzer.cluster_configs import PROFILES
from spark_performance_analyzer.cluster_configs_job import main as write_cluster_configs_main
from spark_performance_analyzer.spill_probe_job import JOB_GROUP
from spark_performance_analyzer.spill_probe_job import main as spill_probe_main


def test_write_cluster_configs_writes_one_file_per_profile_and_prints_one_line(tmp_path, capsys):
    out = tmp_path / "lake" / "cluster-configs"

    assert write_cluster_configs_main(["--out", str(out)]) == 0

    assert capsys.readouterr().out == f"cluster configs: 3 written to {out} (large, medium, small)\n"
    for name in ("small", "medium", "large"):
        written = json.loads((out / f"cluster-{name}.json").read_text())
        assert written == json.loads(json.dumps(cluster_config(PROFILES[name])))


def test_write_cluster_configs_refuses_a_file_where_the_folder_should_be(tmp_path, capsys):
    (tmp_path / "taken").write_text("not a folder")

    with pytest.raises(SystemExit) as exit_info:
        write_cluster_configs_main(["--out", str(tmp_path / "taken")])

    assert exit_info.value.code == 2
    assert "argument --out: expected a folder, found a file at" in capsys.readouterr().err


def test_the_spill_probe_sorts_on_the_active_session_under_its_job_group(spark, capsys):
    assert spill_probe_main(["--rows", "2000", "--partitions", "1"]) == 0

    assert capsys.readouterr().out == (
        f"spill probe: sorted 2,000 rows in 1 partition(s), job group {JOB_GROUP}, "
        f"application {spark.sparkContext.applicationId}\n")
    assert spark.sparkContext.statusTracker().getJobIdsForGroup(JOB_GROUP)
    assert spark.sparkContext.getLocalProperty("spark.jobGroup.id") is None


def test_the_spill_probe_names_a_bad_row_count(capsys):
    with pytest.raises(SystemExit):
        spill_probe_main(["--rows", "zero"])

    assert "argument --rows: expected a whole number >= 1, found 'zero'" in capsys.readouterr().err
