"""The committed cluster config files load, and hold exactly what the sizing arithmetic gives today."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from spark_performance_analyzer.cluster_configs import PROFILES, ClusterProfile, cluster_config
from spark_performance_analyzer.cluster_configs_job import write_cluster_configs
from spark_performance_analyzer.sizing import GIB, InvalidSizingInputError

FOLDER = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_committed_config_is_what_the_arithmetic_gives(name, tmp_path):
    write_cluster_configs(tmp_path)
    committed = json.loads((FOLDER / "configs" / f"cluster-{name}.json").read_text())
    regenerated = json.loads((tmp_path / f"cluster-{name}.json").read_text())

    assert committed == regenerated == json.loads(json.dumps(cluster_config(PROFILES[name])))


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_partitions_fill_whole_waves_and_tasks_get_room_to_sort(name):
    config = json.loads((FOLDER / "configs" / f"cluster-{name}.json").read_text())
    conf, profile = config["spark_conf"], config["profile"]
    cores = int(conf["spark.executor.instances"]) * int(conf["spark.executor.cores"])

    assert int(conf["spark.sql.shuffle.partitions"]) % cores == 0
    assert int(conf["spark.sql.shuffle.partitions"]) * profile["target_partition_bytes"] >= profile[
        "input_bytes_per_run"]
    per_task_mib = float(config["arithmetic"]["memory_per_task"][-1].split(" / ")[1].split(" = ")[1].split()[0])
    assert per_task_mib >= 512


def test_the_small_profile_shows_its_arithmetic():
    steps = cluster_config(PROFILES["small"])["arithmetic"]

    assert steps["partitions"][0] == "53,687,091,200 bytes / 134,217,728 bytes per partition = 400 partitions"
    assert steps["memory_per_task"][-1] == "7192.8 MiB / 4 concurrent tasks = 1798.2 MiB per task before it spills"


def test_a_profile_that_would_spill_on_every_sort_is_refused():
    starved = ClusterProfile("starved", workers=4, cores_per_executor=16, executor_heap_mib=4096, driver_heap_mib=4096,
                             input_bytes_per_run=100 * GIB)

    with pytest.raises(InvalidSizingInputError, match="starved: expected at least 512 MiB execution memory per task"):
        cluster_config(starved)
