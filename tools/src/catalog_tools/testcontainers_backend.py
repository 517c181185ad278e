"""Kafka from testcontainers, for machines with a Docker engine (a laptop, GitHub Actions).

Chosen with ``CATALOG_KAFKA_BACKEND=testcontainers``. It offers the PLAINTEXT listener only;
tests that need SASL_SSL keep using the embedded broker. Where no Docker engine answers,
:func:`docker_unavailable_reason` says why and the fixtures skip with that reason.

Example::

    >>> reason = docker_unavailable_reason()
    >>> if reason is None:  # doctest: +SKIP
    ...     with start_testcontainers_kafka() as kafka:
    ...         print(kafka.plaintext_bootstrap)
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

BACKEND_ENV = "CATALOG_KAFKA_BACKEND"
KAFKA_IMAGE = "apache/kafka:4.1.1"


def docker_unavailable_reason() -> str | None:
    """Return None when a Docker engine answers a ping, else the reason it does not."""
    try:
        import docker

        docker.from_env().ping()
    except Exception as error:  # docker raises several unrelated types; the reason is the point
        return f"no Docker engine reachable ({type(error).__name__}: {error})"
    return None


@dataclass(frozen=True)
class ContainerKafka:
    """Connection facts of a Kafka container: the PLAINTEXT subset of the embedded broker's API."""

    plaintext_bootstrap: str

    def client_config(self, user: str | None = None, mechanism: str = "") -> dict[str, Any]:
        if user is not None:
            raise ValueError("expected user=None: the testcontainers backend has no SASL listener")
        return {"bootstrap_servers": self.plaintext_bootstrap}

    def spark_options(self, user: str | None = None, mechanism: str = "") -> dict[str, str]:
        if user is not None:
            raise ValueError("expected user=None: the testcontainers backend has no SASL listener")
        return {"kafka.bootstrap.servers": self.plaintext_bootstrap}


@contextmanager
def start_testcontainers_kafka(image: str = KAFKA_IMAGE) -> Iterator[ContainerKafka]:
    """Run a Kafka container for the duration of the ``with`` block."""
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer(image).with_kraft() as container:
        yield ContainerKafka(container.get_bootstrap_server())
