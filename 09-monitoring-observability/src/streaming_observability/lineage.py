"""OpenLineage from Spark: the openlineage-spark listener sending run events to an HTTP endpoint.

Needs ``io.openlineage:openlineage-spark_2.13`` on the session's classpath (``--packages`` or the
cluster's libraries). At session build, pass :func:`openlineage_conf`; on a session that already
runs (a notebook, a shared test session), :func:`attach_openlineage_listener` adds the same listener.

Example::

    >>> conf = openlineage_conf("http://marquez:5000", namespace="iot-plant-07")
    >>> conf["spark.extraListeners"]
    'io.openlineage.spark.agent.OpenLineageSparkListener'
"""
from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession

from streaming_observability.errors import ObservabilityInputError

OPENLINEAGE_LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
OPENLINEAGE_PACKAGE = "io.openlineage:openlineage-spark_2.13:1.53.0"


class LineageSetupError(RuntimeError):
    """The openlineage-spark listener cannot be created on this session (jar missing, bad config)."""


def _transport(url: str, namespace: str) -> dict[str, str]:
    if not url.startswith(("http://", "https://")):
        raise ObservabilityInputError(f"expected an OpenLineage endpoint URL like http://marquez:5000, got {url!r}")
    if not namespace:
        raise ObservabilityInputError("expected a lineage namespace, got an empty string")
    return {
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": url,
        "spark.openlineage.namespace": namespace,
    }


def openlineage_conf(url: str, namespace: str) -> dict[str, str]:
    """Spark settings that start the listener with the session, posting to ``url``/api/v1/lineage."""
    return {"spark.extraListeners": OPENLINEAGE_LISTENER, **_transport(url, namespace)}


def attach_openlineage_listener(spark: SparkSession, url: str, namespace: str) -> Any:
    """Add the listener to a running session; returns the handle :func:`detach_openlineage_listener` takes."""
    settings = _transport(url, namespace)
    context = spark.sparkContext._jsc.sc()
    conf = context.conf().clone()
    for key, value in settings.items():
        conf.set(key, value)
    try:
        listener = spark._jvm.io.openlineage.spark.agent.OpenLineageSparkListener(conf)
    except Exception as exc:  # py4j raises a generic error when the class is not on the classpath
        raise LineageSetupError(
            f"expected {OPENLINEAGE_PACKAGE} on the session's classpath; creating {OPENLINEAGE_LISTENER} "
            f"failed: {type(exc).__name__}"
        ) from None
    context.addSparkListener(listener)
    return listener


def detach_openlineage_listener(spark: SparkSession, listener: Any) -> None:
    """Stop sending lineage from this session."""
    spark.sparkContext._jsc.sc().removeSparkListener(listener)


def lineage_summary(events: list[dict[str, Any]]) -> list[tuple[str, str, list[str], list[str]]]:
    """(eventType, job name, input dataset names, output dataset names) per run event, in order."""
    return [
        (
            event.get("eventType", ""),
            event.get("job", {}).get("name", ""),
            [dataset["name"] for dataset in event.get("inputs", [])],
            [dataset["name"] for dataset in event.get("outputs", [])],
        )
        for event in events
    ]
