"""Fill a topic with generated sensor events: all at once (a backlog), or at a steady rate.

Both use librdkafka (``confluent-kafka``): kafka-python sends well under 5,000 small records per
second from one thread. The steady producer runs in its own process so that the Spark driver's
Python threads (``foreachBatch`` callbacks, listener) never steal its interpreter lock.

Events come from :func:`catalog_tools.generators.sensor_event_messages` without faults; the record
timestamp is left to the producer (``CreateTime`` = send time), which is what latency is measured from.

Example::

    >>> preload_topic("127.0.0.1:9092", "bench.backlog", events=300_000, seed=7)  # doctest: +SKIP
    300000
"""
from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaException, Producer

from catalog_tools.generators import sensor_event_messages

PRODUCER_SETTINGS = {"acks": "all", "enable.idempotence": True, "linger.ms": 5,
                     "queue.buffering.max.messages": 1_000_000, "batch.num.messages": 10_000}


class ProducerFailedError(RuntimeError):
    """Records were not acknowledged by the broker; the message says how many of how many."""


def _producer(bootstrap: str) -> tuple[Producer, list[str]]:
    errors: list[str] = []
    producer = Producer({"bootstrap.servers": bootstrap, **PRODUCER_SETTINGS,
                         "error_cb": lambda err: errors.append(str(err))})
    return producer, errors


def _send(producer: Producer, topic: str, key: bytes | None, value: bytes, on_delivery: Any) -> None:
    while True:
        try:
            producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
            return
        except BufferError:  # local queue full: let librdkafka deliver, then retry
            producer.poll(0.05)


def preload_topic(bootstrap: str, topic: str, events: int, seed: int) -> int:
    """Produce ``events`` generated events as fast as the producer can; return how many were acknowledged."""
    messages = sensor_event_messages(events, seed=seed, plants=6).messages
    producer, _ = _producer(bootstrap)
    failures: list[str] = []

    def delivered(err: Any, _msg: Any) -> None:
        if err is not None:
            failures.append(str(err))

    for message in messages:
        _send(producer, topic, message.key, message.value, delivered)
    remaining = producer.flush(120)
    acknowledged = len(messages) - remaining - len(failures)
    if acknowledged != len(messages):
        raise ProducerFailedError(f"expected {len(messages)} records acknowledged, got {acknowledged} "
                                  f"(first error: {failures[:1]})")
    return acknowledged


@dataclass(frozen=True)
class SteadyProduction:
    """What the steady producer achieved: records acknowledged, first and last send (epoch seconds)."""

    requested_rate: int
    sent: int
    first_send_epoch_s: float
    last_send_epoch_s: float

    @property
    def achieved_rate(self) -> float:
        span = self.last_send_epoch_s - self.first_send_epoch_s
        return self.sent / span if span > 0 else 0.0


def produce_at_rate(bootstrap: str, topic: str, rate: int, seconds: float, seed: int,
                    connection: Any) -> None:
    """Child-process body: generate, say ``ready``, wait for ``go``, send ``rate`` events/s for ``seconds``.

    The schedule is absolute (record ``i`` is due at ``start + i / rate``), so a slow tick is caught
    up by the next one instead of lowering the rate. Sends a :class:`SteadyProduction` (or the
    error text) back over ``connection``.
    """
    try:
        total = int(rate * seconds)
        messages = sensor_event_messages(total, seed=seed, plants=6).messages
        producer, _ = _producer(bootstrap)
        failures: list[str] = []

        def delivered(err: Any, _msg: Any) -> None:
            if err is not None:
                failures.append(str(err))

        connection.send("ready")
        connection.recv()
        started_mono, started_epoch = time.monotonic(), time.time()
        sent = 0
        while sent < total:
            due = min(total, int((time.monotonic() - started_mono) * rate) + 1)
            while sent < due:
                message = messages[sent]
                _send(producer, topic, message.key, message.value, delivered)
                sent += 1
            producer.poll(0)
            time.sleep(0.002)
        last_epoch = time.time()
        remaining = producer.flush(60)
        acknowledged = total - remaining - len(failures)
        if acknowledged != total:
            raise ProducerFailedError(f"expected {total} records acknowledged, got {acknowledged} "
                                      f"(first error: {failures[:1]})")
        connection.send(SteadyProduction(rate, acknowledged, started_epoch, last_epoch))
    except (KafkaException, ProducerFailedError, OSError) as error:
        connection.send(f"{type(error).__name__}: {error}")


class SteadyProducer:
    """Start :func:`produce_at_rate` in a spawned process; ``go()`` starts the clock, ``result()`` waits.

    Example::

        >>> producer = SteadyProducer("127.0.0.1:9092", "bench.steady", 5000, 30, seed=3)  # doctest: +SKIP
        >>> producer.wait_ready(); producer.go(); production = producer.result(timeout_s=120)  # doctest: +SKIP
    """

    def __init__(self, bootstrap: str, topic: str, rate: int, seconds: float, seed: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._parent, child = context.Pipe()
        self._process = context.Process(target=produce_at_rate, args=(bootstrap, topic, rate, seconds, seed, child),
                                        daemon=True)
        self._process.start()

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        if not self._parent.poll(timeout_s) or self._parent.recv() != "ready":
            raise ProducerFailedError(f"expected the producer process to be ready within {timeout_s:.0f} s")

    def go(self) -> None:
        self._parent.send("go")

    def result(self, timeout_s: float) -> SteadyProduction:
        try:
            if not self._parent.poll(timeout_s):
                raise ProducerFailedError(f"expected the producer to finish within {timeout_s:.0f} s, it did not")
            outcome = self._parent.recv()
        finally:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
        if isinstance(outcome, str):
            raise ProducerFailedError(outcome)
        return outcome
