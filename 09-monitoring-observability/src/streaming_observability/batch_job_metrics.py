"""Metrics of a batch job (an OPTIMIZE, a daily gold build) pushed to a Prometheus pushgateway.

A batch job ends before Prometheus would scrape it, so it pushes: on success its duration, rows and
success time; on failure only its failure time, so the last success stays visible.

Example::

    >>> with batch_job_run("http://pushgateway:9091", "gold_daily") as run:  # doctest: +SKIP
    ...     run.rows_written = write_gold(spark)
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Gauge, pushadd_to_gateway

from streaming_observability.errors import ObservabilityInputError


@dataclass
class BatchJobRun:
    """Handed to the job's body: set ``rows_written``; add metrics of your own to ``registry``."""

    job: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    rows_written: int = 0


@contextmanager
def batch_job_run(gateway_url: str, job: str, timeout_s: float = 10.0) -> Iterator[BatchJobRun]:
    """Time the body and push its metrics to the gateway's group ``job=<job>`` when it ends.

    The exception of a failed body is re-raised after the failure time is pushed.
    """
    if not gateway_url.startswith(("http://", "https://")):
        raise ObservabilityInputError(f"expected a pushgateway URL like http://host:9091, got {gateway_url!r}")
    if not job:
        raise ObservabilityInputError("expected a job name, got an empty string")
    run = BatchJobRun(job=job)
    started = time.monotonic()
    outcome = CollectorRegistry()
    try:
        yield run
    except BaseException:
        Gauge("batch_job_last_failure_timestamp_seconds", "Unix time the job last failed",
              registry=outcome).set_to_current_time()
        pushadd_to_gateway(gateway_url, job=job, registry=outcome, timeout=timeout_s)
        raise
    Gauge("batch_job_duration_seconds", "Wall time of the last successful run", registry=run.registry).set(
        time.monotonic() - started)
    Gauge("batch_job_rows_written", "Rows the last successful run wrote", registry=run.registry).set(run.rows_written)
    Gauge("batch_job_last_success_timestamp_seconds", "Unix time the job last succeeded",
          registry=run.registry).set_to_current_time()
    pushadd_to_gateway(gateway_url, job=job, registry=run.registry, timeout=timeout_s)
