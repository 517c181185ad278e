"""Exactly-once, proved by killing the driver: SIGKILL three times mid-stream, restart, count every id.

First the failure the pattern fixes, reproduced: a foreachBatch that appends without Delta's
idempotent-write options writes a replayed batch twice. Then the fix, and then the real thing: a
separate driver process (examples/streaming_driver.py) killed with SIGKILL (Python and its JVM,
the whole process group) while its queries are running, restarted from its checkpoints.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FAULTS, expected_outcome, produce_with_broker_time
from pyspark.sql import Row
from pyspark.sql import functions as F

from catalog_tools.generators import sensor_event_messages
from iot_streaming_pipeline import silver
from iot_streaming_pipeline.bronze import to_bronze
from iot_streaming_pipeline.errors import ConcurrentSilverWriterError
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.silver import CommittedWatermark, SilverSettings, write_silver_batch
from iot_streaming_pipeline.silver_ledger import batch_ledger, ledger_totals, silver_commit_log
from iot_streaming_pipeline.tables import KAFKA_SOURCE_SCHEMA, ensure_pipeline_tables
from iot_streaming_pipeline.validation import parse_and_validate

DRIVER = Path(__file__).resolve().parent.parent / "examples" / "streaming_driver.py"
SETTINGS = SilverSettings(app_id="test-silver", allowed_lateness_seconds=600, dedup_horizon_seconds=3600,
                          metric_ranges={"temperature_c": (-40.0, 400.0)})


def bronze_batch(spark, values: list[str]):
    rows = [Row(key=None, value=v.encode(), topic="t", partition=0, offset=i, timestamp=None, timestampType=0)
            for i, v in enumerate(values)]
    return to_bronze(spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA), "test")


EVENTS = [
    '{"event_id": "a", "machine_id": "M1", "event_time": "2026-01-05T06:00:00.000Z", "temperature_c": 50}',
    '{"event_id": "b", "machine_id": "M1", "event_time": "2026-01-05T06:00:01.000Z", "temperature_c": 51}',
]


def test_naive_foreach_batch_append_doubles_a_replayed_batch(spark, delta_path):
    batch = bronze_batch(spark, EVENTS)

    def naive_append(batch_df, batch_id):  # what a restart does: the same batch id comes again
        parsed = parse_and_validate(batch_df, {"temperature_c": (-40.0, 400.0)}, {})
        parsed.write.format("delta").mode("append").save(delta_path)

    naive_append(batch, 7)
    naive_append(batch, 7)

    assert spark.read.format("delta").load(delta_path).count() == 4  # 2 events, stored twice


def test_silver_batch_replayed_after_a_crash_is_written_once_and_counted_the_same(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})
    batch = bronze_batch(spark, EVENTS)

    first = write_silver_batch(spark, batch, 7, paths, SETTINGS)
    replay = write_silver_batch(spark, batch, 7, paths, SETTINGS)

    assert first == replay == {"batch_id": 7, "rows_in": 2, "silver": 2, "quarantine": 0, "late": 0,
                               "duplicate_in_batch": 0, "duplicate_of_earlier": 0}
    assert spark.read.format("delta").load(paths.silver).count() == 2
    assert silver_commit_log(spark, paths.silver).where("silver_batch_id = 7").count() == 1  # the replay: no commit
    # the next batch re-sending "a" is a duplicate of an earlier batch, not a new row; it is kept, with its
    # Kafka position, in the duplicates table, so the ledger of every batch adds up from the tables alone
    assert write_silver_batch(spark, bronze_batch(spark, EVENTS[:1]), 8, paths, SETTINGS)["duplicate_of_earlier"] == 1
    duplicate = spark.read.format("delta").load(paths.duplicates).first()
    assert (duplicate.event_id, duplicate.kafka_offset, duplicate.duplicate_of) == ("a", 0, "duplicate_of_earlier")
    ledger = {r.silver_batch_id: (r.rows_in, r.silver, r.duplicate_of_earlier)
              for r in batch_ledger(spark, paths).collect()}
    assert ledger == {7: (2, 2, 0), 8: (1, 0, 1)}


def test_a_second_writer_with_the_same_app_id_is_a_named_error_not_a_hang(spark, tmp_path, monkeypatch):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})
    memory, other_process = CommittedWatermark(), CommittedWatermark()
    write_silver_batch(spark, bronze_batch(spark, EVENTS[:1]), 0, paths, SETTINGS, memory)
    write_silver_batch(spark, bronze_batch(spark, EVENTS[1:]), 1, paths, SETTINGS, other_process)  # same app id
    monkeypatch.setattr(silver, "OBSERVATION_WAIT_S", 3.0)

    with pytest.raises(ConcurrentSilverWriterError, match="batch 1: .* another writer uses the same app id"):
        write_silver_batch(spark, bronze_batch(spark, EVENTS[1:]), 1, paths, SETTINGS, memory)


def start_driver(bootstrap: str, topic: str, root: Path, log: Path, drain: bool = False) -> subprocess.Popen:
    # small batches while it may be killed (a kill lands mid-stream); the drain catches up in a few batches
    command = [sys.executable, str(DRIVER), "--bootstrap", bootstrap, "--topic", topic, "--root", str(root),
               "--max-offsets-per-trigger", "1000" if drain else "25", "--trigger", "1 second"] + (
                   ["--drain"] if drain else [])
    return subprocess.Popen(command, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def batches_with_rows(log: Path, since_line: int, query: str | None = None) -> int:
    lines = log.read_text(errors="replace").splitlines()[since_line:]
    batches = [json.loads(line) for line in lines if line.startswith('{"event": "batch_completed"')]
    return sum(1 for b in batches if b["input_rows"] > 0 and query in (None, b["query_name"]))


def silver_batches_in_delta_log(silver_path: str, seen: dict[str, int | None]) -> set[int]:
    """Batch ids in the silver table's commit files (their ``userMetadata``), read as the files appear.

    A cheap poll of what :func:`silver_commit_log` reads through Spark; ``seen`` caches parsed files.
    """
    log = Path(silver_path) / "_delta_log"
    for commit_file in sorted(log.glob("*.json")) if log.is_dir() else ():
        if commit_file.name in seen:
            continue
        try:
            actions = [json.loads(line) for line in commit_file.read_text().splitlines() if line.strip()]
        except ValueError:  # caught mid-write: read it on the next poll
            continue
        metadata = next((a["commitInfo"].get("userMetadata") for a in actions if "commitInfo" in a), None)
        seen[commit_file.name] = json.loads(metadata)["silver_batch_id"] if metadata else None
    return {batch for batch in seen.values() if batch is not None}


def checkpoint_commits(checkpoint: str) -> set[int]:
    folder = Path(checkpoint) / "commits"
    return {int(f.name) for f in folder.iterdir() if f.name.isdigit()} if folder.is_dir() else set()


def kill_between_data_commit_and_checkpoint_commit(driver: subprocess.Popen, paths: PipelinePaths,
                                                   deadline: float) -> bool:
    """SIGKILL as soon as silver's Delta commit of a batch exists and its checkpoint commit does not yet."""
    seen: dict[str, int | None] = {}
    while driver.poll() is None and time.monotonic() < deadline:
        if silver_batches_in_delta_log(paths.silver, seen) - checkpoint_commits(paths.checkpoint("silver")):
            os.killpg(driver.pid, signal.SIGKILL)
            return True
        time.sleep(0.01)
    return False


def test_three_sigkills_mid_stream_lose_nothing_and_double_nothing(spark, kafka, unique_topic, tmp_path):
    batch = sensor_event_messages(300, seed=5, faults=FAULTS)
    produced = produce_with_broker_time(batch, unique_topic, kafka.client_config())
    expected = expected_outcome(batch.messages)
    root, log = tmp_path / "lake", tmp_path / "driver.log"
    paths = PipelinePaths.under(str(root))
    replayed: set[int] = set()  # silver batches whose data was committed but whose checkpoint commit was not

    # kill 1 at a random point once bronze has landed a batch; kills 2 and 3 right after silver's data commit of
    # a batch, before Spark writes that batch's checkpoint commit: the restart must replay it
    for kills, targeted in enumerate((False, True, True), start=1):
        start_line = len(log.read_text().splitlines()) if log.exists() else 0
        driver = start_driver(kafka.plaintext_bootstrap, unique_topic, root, log)
        deadline = time.monotonic() + 400
        if targeted and not kill_between_data_commit_and_checkpoint_commit(driver, paths, deadline):
            assert driver.poll() is None, f"driver exited early:\n{log.read_text()[-3000:]}"
            os.killpg(driver.pid, signal.SIGKILL)  # no window caught before the deadline: the ledger check says so
        elif not targeted:
            while batches_with_rows(log, start_line, "bronze") < 1 and driver.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(random.Random(2026).uniform(0.0, 2.0))  # land anywhere inside the next batch
            os.killpg(driver.pid, signal.SIGKILL)
        assert driver.wait(timeout=30) == -signal.SIGKILL, f"kill {kills} did not land:\n{log.read_text()[-3000:]}"
        # the pipeline's own ledger: silver commits that the checkpoint does not know yet
        committed = {r.silver_batch_id for r in silver_commit_log(spark, paths.silver).collect()} \
            if (Path(paths.silver) / "_delta_log").is_dir() else set()
        replayed |= committed - checkpoint_commits(paths.checkpoint("silver"))

    drain_start = len(log.read_text().splitlines())
    drain = start_driver(kafka.plaintext_bootstrap, unique_topic, root, log, drain=True)
    assert drain.wait(timeout=600) == 0, log.read_text()[-3000:]

    table = lambda path: spark.read.format("delta").load(path)  # noqa: E731
    bronze, silver, late = table(paths.bronze), table(paths.silver), table(paths.late_events)
    silver_ids = [r.event_id for r in silver.select("event_id").collect()]
    late_ids = [r.event_id for r in late.select("event_id").collect()]
    ledger = ledger_totals(spark, paths)
    commits = silver_commit_log(spark, paths.silver).agg(F.count("*"), F.countDistinct("silver_batch_id")).first()

    assert batches_with_rows(log, drain_start) > 0, "the kills must leave work for the restart"
    assert replayed, "at least one kill must land between a silver batch's data commit and its checkpoint commit"
    assert replayed <= checkpoint_commits(paths.checkpoint("silver"))  # the restart ran those batches again
    assert bronze.count() == bronze.select("kafka_partition", "kafka_offset").distinct().count() == produced
    assert len(silver_ids) == len(set(silver_ids)) and set(silver_ids) == expected.on_time_ids
    assert len(late_ids) == len(set(late_ids)) and set(late_ids) == expected.late_ids
    assert table(paths.quarantine).count() == expected.quarantined
    assert ledger["rows_in"] == produced  # every produced row stored once: silver, quarantine, late or duplicates
    assert commits[0] == commits[1]  # one silver commit per batch, none replayed twice
    assert table(paths.gold).agg(F.sum("event_count")).first()[0] == len(silver_ids)
    # the listener landed per-batch metrics of all three queries
    assert {r.query_name for r in table(paths.stream_metrics).select("query_name").distinct().collect()} == {
        "bronze", "silver", "gold"}
