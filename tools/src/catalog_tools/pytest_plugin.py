"""Fixtures every pattern folder uses, registered through the ``pytest11`` entry point.

* ``spark``: one SparkSession per pytest process (one per folder), Delta and Kafka source loaded.
  Set ``catalog_spark_ui = true`` in a folder's pytest ini options to turn the Spark UI on.
* ``delta_path``: a fresh Delta table path under the test's ``tmp_path``.
* ``kafka``: a real broker's PLAINTEXT connection facts (embedded, or testcontainers when
  ``CATALOG_KAFKA_BACKEND=testcontainers``); ``kafka_sasl_ssl``: the embedded broker, whose
  ``client_config(user=...)`` and ``spark_options(user=...)`` speak SASL_SSL.
* ``kafka_broker_factory``: starts extra brokers with custom settings (ACLs, certificates).
* ``unique_topic``: a topic name no other test uses.
* ``prometheus_binaries``: Debian's prometheus, promtool, alertmanager and pushgateway, unpacked into a
  cache folder (skips, saying why, where they cannot be had); ``prometheus_stack``: starts them on
  free loopback ports in the test's ``tmp_path`` and stops them afterwards.
* ``load_script``: imports a folder's script by its path relative to the folder,
  e.g. ``load_script("benchmarks/flatten_benchmark.py")``.
* ``postgres``: a real PostgreSQL 15 server with ``wal_level=logical`` for the session (run as the
  ``postgres`` user when tests run as root); skips, saying what is missing, without PostgreSQL.
* ``kafka_connect``: a Kafka Connect standalone worker with the Debezium PostgreSQL connector,
  against the embedded broker, for the session; ``kafka_connect_factory`` starts workers of a test's
  own (to kill and restart them), stopped afterwards.
* ``actionlint``: the actionlint binary (PATH, the cache, or built with ``go install``); skips with
  the reason when it cannot be had.

Markers registered for every folder: ``kafka`` (needs the embedded broker), ``docker`` (needs a
Docker engine) and ``bench`` (exercises a benchmark harness on tiny data; ``make test`` runs it,
``-m "not bench"`` leaves it out).

Example::

    def test_roundtrip(spark, delta_path):
        spark.range(3).write.format("delta").save(delta_path)
        assert spark.read.format("delta").load(delta_path).count() == 3
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from catalog_tools.kafka_broker import BrokerSettings, KafkaBroker, start_broker
from catalog_tools.prometheus_stack import (
    PrometheusStack,
    PrometheusStackUnavailable,
    StackBinaries,
    unpacked_binaries,
)
from catalog_tools.scripts import load_script_from
from catalog_tools.testcontainers_backend import (
    BACKEND_ENV,
    docker_unavailable_reason,
    start_testcontainers_kafka,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kafka: needs the embedded Kafka broker")
    config.addinivalue_line("markers", "docker: needs a Docker engine (testcontainers backend)")
    config.addinivalue_line("markers", "bench: exercises a benchmark harness on tiny data")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("catalog_spark_ui", "start the Spark UI for the spark fixture", type="bool", default=False)
    parser.addini(
        "catalog_spark_shuffle_partitions", "spark.sql.shuffle.partitions for tests", default="2"
    )


@pytest.fixture(scope="session")
def spark(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from catalog_tools.spark import local_spark

    session = local_spark(
        tmp_path_factory.mktemp("spark"),
        app_name=f"tests-{pytestconfig.rootpath.name}",
        ui=pytestconfig.getini("catalog_spark_ui"),
        shuffle_partitions=int(pytestconfig.getini("catalog_spark_shuffle_partitions")),
    )
    yield session
    session.stop()


@pytest.fixture
def delta_path(tmp_path: Path) -> str:
    return str(tmp_path / "delta" / "table")


def _kafka_backend() -> str:
    backend = os.environ.get(BACKEND_ENV, "embedded")
    if backend not in {"embedded", "testcontainers"}:
        raise pytest.UsageError(f"{BACKEND_ENV}: expected 'embedded' or 'testcontainers', got {backend!r}")
    return backend


@pytest.fixture(scope="session")
def embedded_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    broker = start_broker(tmp_path_factory.mktemp("kafka"))
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kafka(request: pytest.FixtureRequest) -> Iterator[Any]:
    if _kafka_backend() == "testcontainers":
        reason = docker_unavailable_reason()
        if reason:
            pytest.skip(f"{BACKEND_ENV}=testcontainers: {reason}")
        with start_testcontainers_kafka() as container:
            yield container
        return
    yield request.getfixturevalue("embedded_kafka")


@pytest.fixture(scope="session")
def kafka_sasl_ssl(embedded_kafka: KafkaBroker) -> KafkaBroker:
    return embedded_kafka


@pytest.fixture
def kafka_broker_factory(tmp_path: Path) -> Iterator[Callable[[BrokerSettings], KafkaBroker]]:
    started: list[KafkaBroker] = []

    def start(settings: BrokerSettings) -> KafkaBroker:
        broker = start_broker(tmp_path / f"broker-{len(started)}", settings)
        started.append(broker)
        return broker

    yield start
    for broker in started:
        broker.stop()


@pytest.fixture
def load_script(pytestconfig: pytest.Config) -> Callable[[str], ModuleType]:
    """Import a script of the folder under test, by its path relative to the folder."""

    def load(relative_path: str) -> ModuleType:
        return load_script_from(pytestconfig.rootpath / relative_path)

    return load


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest) -> str:
    test_name = re.sub(r"[^a-zA-Z0-9]+", "-", request.node.name).strip("-")[:60]
    return f"{test_name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def prometheus_binaries() -> StackBinaries:
    try:
        return unpacked_binaries()
    except PrometheusStackUnavailable as exc:
        pytest.skip(f"Prometheus stack unavailable: {exc}")


@pytest.fixture
def prometheus_stack(prometheus_binaries: StackBinaries, tmp_path: Path) -> Iterator[PrometheusStack]:
    stack = PrometheusStack(prometheus_binaries, tmp_path / "prometheus-stack")
    yield stack
    stack.stop_all()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A PostgreSQL server for the session; skips, saying what is missing, where none can start."""
    from catalog_tools.postgres import PostgresUnavailableError, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailableError as error:
        pytest.skip(f"PostgreSQL unavailable: {error}")
    yield server
    server.stop()


@pytest.fixture
def kafka_connect_factory(
    embedded_kafka: KafkaBroker, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Start Connect workers against the embedded broker: ``start(connectors={name: config})``."""
    from catalog_tools.kafka_connect import start_kafka_connect

    started: list[Any] = []

    def start(connectors: dict[str, dict[str, str]] | None = None, **kwargs: Any) -> Any:
        worker = start_kafka_connect(
            tmp_path / f"connect-{len(started)}", embedded_kafka.plaintext_bootstrap, connectors, **kwargs
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def kafka_connect(embedded_kafka: KafkaBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Connect worker for the session; add connectors with ``create_connector``."""
    from catalog_tools.kafka_connect import start_kafka_connect

    worker = start_kafka_connect(tmp_path_factory.mktemp("connect"), embedded_kafka.plaintext_bootstrap)
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """The actionlint binary; skips the test, saying why, when neither it nor ``go`` is available."""
    from catalog_tools.actionlint import ActionlintUnavailableError, ensure_actionlint

    try:
        return ensure_actionlint()
    except ActionlintUnavailableError as error:
        pytest.skip(str(error))
