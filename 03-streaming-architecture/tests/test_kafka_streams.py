"""The Kafka Streams preprocessing (kafka-streams/): its JUnit suite, then the real thing.

1. Maven builds the project once per session, which runs the JUnit tests (TopologyTestDriver);
   the surefire reports must show every test passed.
2. The packaged jar runs as a JVM process against the real broker; generated sensor events and
   plant-hierarchy metadata go in, Spark lands the three output topics in Delta, and every input
   record is found in exactly one place: an aggregate's ``event_count``, the dead-letter topic, or
   the late topic.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import expected_outcome
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from catalog_tools.generators import FaultPlan, iter_plant_hierarchy, sensor_event_messages, to_json_document
from catalog_tools.kafka_io import KafkaMessage, produce_messages

FOLDER = Path(__file__).resolve().parents[1]
PROJECT = FOLDER / "kafka-streams"
MAVEN_SETTINGS = PROJECT / "maven-settings.xml"  # inside the folder: a copied folder builds the same way
JAR = PROJECT / "target" / "iot-kafka-streams-preprocessing.jar"
EXPECTED_JUNIT_CLASSES = {"EventValidatorTest", "MachineMetadataValidatorTest", "PreprocessingConfigTest",
                          "PreprocessingTopologyTest"}
MIN_JUNIT_TESTS = 41


@dataclass(frozen=True)
class MavenBuild:
    returncode: int
    log: Path


@pytest.fixture(scope="session")
def kafka_streams_build(tmp_path_factory: pytest.TempPathFactory) -> MavenBuild:
    """``mvn clean package`` once: compile, run the JUnit tests, build the jar and target/lib/."""
    if shutil.which("mvn") is None or shutil.which("java") is None:
        pytest.fail("expected `mvn` and `java` on PATH to build kafka-streams/, found "
                    f"mvn={shutil.which('mvn')}, java={shutil.which('java')}")
    log = tmp_path_factory.mktemp("maven") / "mvn.log"
    with log.open("w") as out:
        returncode = subprocess.call(
            ["mvn", "-B", "-Dstyle.color=never", "-s", str(MAVEN_SETTINGS), "clean", "package"],
            cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    return MavenBuild(returncode, log)


def surefire_counts(reports: Path) -> dict[str, dict[str, int]]:
    """``{test class: {tests, failures, errors, skipped}}`` from surefire's XML reports."""
    counts = {}
    for report in sorted(reports.glob("TEST-*.xml")):
        suite = ElementTree.parse(report).getroot()
        counts[suite.get("name").rsplit(".", 1)[-1]] = {
            key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    return counts


def test_the_junit_suite_passes_under_maven(kafka_streams_build: MavenBuild) -> None:
    log_tail = "\n".join(kafka_streams_build.log.read_text(errors="replace").splitlines()[-40:])
    assert kafka_streams_build.returncode == 0, log_tail

    counts = surefire_counts(PROJECT / "target" / "surefire-reports")

    assert set(counts) == EXPECTED_JUNIT_CLASSES
    assert sum(c["tests"] for c in counts.values()) >= MIN_JUNIT_TESTS
    assert all(c["failures"] == c["errors"] == c["skipped"] == 0 for c in counts.values()), counts
    assert JAR.exists() and (PROJECT / "target" / "lib").is_dir()


# --- the topology against the real broker ---------------------------------------------------------

FAULTS = FaultPlan(malformed_json=6, missing_required=6, out_of_range=6, late=8, out_of_order=10)
RETIRED_MACHINE = "SHA1-L2-M03"   # no metadata row: its events must be counted as unknown_machine_events


@dataclass(frozen=True)
class Topics:
    events: str
    metadata: str
    output: str
    dead_letter: str
    late: str


def create_topics(topics: Topics, client_config: dict[str, Any]) -> None:
    """Events and metadata co-partitioned (2 and 2); metadata compacted, as a KTable source should be."""
    admin = KafkaAdminClient(**client_config)
    try:
        admin.create_topics([
            NewTopic(topics.events, 2, 1),
            NewTopic(topics.metadata, 2, 1, topic_configs={"cleanup.policy": "compact"}),
            NewTopic(topics.output, 2, 1),
            NewTopic(topics.dead_letter, 1, 1),
            NewTopic(topics.late, 1, 1),
        ])
    finally:
        admin.close()


def metadata_messages() -> list[KafkaMessage]:
    """The plant hierarchy keyed by machine id, minus the retired machine, plus one row without line_id."""
    rows = [row for row in iter_plant_hierarchy(seed=1) if row["machine_id"] != RETIRED_MACHINE]
    messages = [KafkaMessage(row["machine_id"].encode(), json.dumps(to_json_document(row)).encode()) for row in rows]
    broken = {"machine_id": "BER1-L1-M01", "machine_type": "cnc_mill"}
    messages.insert(1, KafkaMessage(b"BER1-L1-M01", json.dumps(broken).encode()))
    return messages


def write_config(path: Path, bootstrap: str, topics: Topics, state_dir: Path) -> str:
    application_id = f"preprocessing-{uuid.uuid4().hex[:8]}"
    path.write_text("\n".join([
        f"application.id={application_id}",
        f"bootstrap.servers={bootstrap}",
        "processing.guarantee=exactly_once_v2",
        f"state.dir={state_dir}",
        "max.task.idle.ms=5000",
        "num.stream.threads=1",
        f"preprocessing.input.topic={topics.events}",
        f"preprocessing.metadata.topic={topics.metadata}",
        f"preprocessing.output.topic={topics.output}",
        f"preprocessing.dead.letter.topic={topics.dead_letter}",
        f"preprocessing.late.topic={topics.late}",
        "preprocessing.window.size=PT1M",
        "preprocessing.window.grace=PT5M",
        "",
    ]))
    return application_id


@pytest.fixture
def running_app(kafka_streams_build: MavenBuild, tmp_path: Path) -> Iterator[Any]:
    """Start the jar with a config file; stop it with SIGTERM at the end (and report how it ended)."""
    assert kafka_streams_build.returncode == 0, "the Maven build failed: see test_the_junit_suite_passes_under_maven"
    started: list[subprocess.Popen] = []

    def start(config: Path) -> subprocess.Popen:
        stdout, stderr = (tmp_path / "app.out").open("w"), (tmp_path / "app.err").open("w")
        process = subprocess.Popen(["java", "-Xmx512m", "-jar", str(JAR), str(config)], stdout=stdout,
                                   stderr=stderr, start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(condition, timeout_s: float, what: str, details=lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}\n{details()}")


def input_fully_committed(group: str, topics: list[str], client_config: dict[str, Any]) -> bool:
    """True when the app's committed offsets reached the end of every input partition.

    With exactly_once_v2 the offsets commit in the same transaction as the outputs, so at that
    point every output of every input record is committed too.
    """
    consumer = KafkaConsumer(**client_config)
    admin = KafkaAdminClient(**client_config)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        end = consumer.end_offsets(partitions)
        committed = admin.list_consumer_group_offsets(group)
    except KafkaError as error:
        if error.retriable:   # the group coordinator is still being elected: ask again
            return False
        raise
    finally:
        consumer.close()
        admin.close()
    return all(tp in committed and committed[tp].offset >= end[tp] for tp in partitions)


@pytest.mark.kafka
def test_the_topology_on_the_real_broker_lands_every_record_in_delta_exactly_once(
        kafka: Any, spark: Any, running_app: Any, load_script: Any, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    topics = Topics(f"ks-events-{suffix}", f"ks-machines-{suffix}", f"ks-machine-minute-{suffix}",
                    f"ks-dead-letter-{suffix}", f"ks-late-{suffix}")
    client_config = kafka.client_config()
    create_topics(topics, client_config)
    batch = sensor_event_messages(400, seed=5, faults=FAULTS)
    events = [m._replace(timestamp_ms=None) for m in batch.messages]   # producer clock as record time
    metadata = metadata_messages()
    produce_messages(metadata, topics.metadata, client_config)
    produce_messages(events, topics.events, client_config)

    config = tmp_path / "preprocessing.properties"
    group = write_config(config, client_config["bootstrap_servers"], topics, tmp_path / "state")
    app = running_app(config)
    wait_for(lambda: input_fully_committed(group, [topics.events, topics.metadata], client_config), 180,
             "the app to commit every input offset",
             lambda: (tmp_path / "app.out").read_text()[-3000:] + (tmp_path / "app.err").read_text()[-3000:])
    assert app.poll() is None, (tmp_path / "app.err").read_text()[-3000:]

    landing = load_script("kafka-streams/spark_consumer/kafka_streams_landing.py")  # the consumer shipped beside it
    options = kafka.spark_options()
    lake = tmp_path / "lake"
    queries = [
        landing.start_machine_minute_landing(spark, options, topics.output, str(lake / "machine_minute"),
                                             str(lake / "_chk" / "machine_minute"), available_now=True),
        landing.start_envelope_landing(spark, options, [topics.dead_letter, topics.late], str(lake / "refused"),
                                       str(lake / "_chk" / "refused"), available_now=True),
    ]
    for query in queries:
        query.awaitTermination(300)
        assert query.exception() is None

    windows = spark.read.format("delta").load(str(lake / "machine_minute")).collect()
    refused = spark.read.format("delta").load(str(lake / "refused")).select(
        "kafka_topic", "stage", "reason", "event_id").collect()
    counts = batch.counts
    outcome = expected_outcome(batch.messages)
    aggregated = sum(w.event_count for w in windows)
    event_reasons = Counter(r.reason for r in refused if r.kafka_topic == topics.dead_letter
                            and r.stage == "validate_event")
    metadata_reasons = Counter(r.reason for r in refused if r.kafka_topic == topics.dead_letter
                               and r.stage == "validate_machine_metadata")
    late = [r for r in refused if r.kafka_topic == topics.late]
    retired = [w for w in windows if w.machine_id == RETIRED_MACHINE]
    retired_on_time = sum(1 for m in batch.messages if m.key.decode() == RETIRED_MACHINE
                          and _event_id(m) in outcome.on_time_ids)

    assert counts.duplicates == 0 and len(events) == counts.total_messages
    assert aggregated == counts.valid_unique - counts.late == len(outcome.on_time_ids)
    assert sum(event_reasons.values()) == counts.bad_records
    assert event_reasons["malformed_json"] == counts.malformed_json
    assert sum(n for r, n in event_reasons.items() if r.startswith("missing_")) == counts.missing_required
    assert sum(n for r, n in event_reasons.items() if r.startswith("out_of_range:")) == counts.out_of_range
    assert {r.reason for r in late} == {"late_beyond_grace"}
    assert sorted(r.event_id for r in late) == sorted(outcome.late_ids) and len(late) == counts.late
    assert aggregated + sum(event_reasons.values()) + len(late) == len(events)
    assert metadata_reasons == Counter({"missing_line_id": 1})
    assert sum(w.unknown_machine_events for w in windows) == sum(w.event_count for w in retired) == retired_on_time
    assert retired_on_time > 0 and all(w.site_id is None for w in retired)
    assert all(w.unknown_machine_events == 0 and w.site_id for w in windows if w.machine_id != RETIRED_MACHINE)
    assert all(w.window_start.second == 0 and w.window_end - w.window_start == dt.timedelta(minutes=1)
               for w in windows)
    assert len({(w.machine_id, w.window_start) for w in windows}) == len(windows)

    os.kill(app.pid, signal.SIGTERM)
    assert app.wait(timeout=60) == 128 + signal.SIGTERM   # the JVM's status after a shutdown hook ran
    app_out = (tmp_path / "app.out").read_text()
    assert "state PENDING_SHUTDOWN -> NOT_RUNNING" in app_out
    assert "stream thread failed" not in (tmp_path / "app.err").read_text()


def _event_id(message: KafkaMessage) -> str | None:
    try:
        return json.loads(message.value).get("event_id")
    except ValueError:
        return None
