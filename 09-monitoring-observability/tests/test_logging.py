"""Structured logs: correlation fields on every Python line, JVM lines as JSON via log4j2, both read by Spark."""
from __future__ import annotations

import io
import json
import logging

import pytest
from helpers import FOLDER

from streaming_observability import (
    ObservabilityInputError,
    correlation,
    errors_by_class,
    json_logger,
    read_json_logs,
    slowest_batches,
)


def test_every_line_carries_the_correlation_fields_of_its_context():
    stream = io.StringIO()
    logger = json_logger("iot.test.correlation", stream)
    with correlation(plant="plant-07", run_id="run-1"):
        with correlation(query_id="q1", batch_id=3):
            logger.info("batch written", extra={"duration_ms": 812.0, "rows": 120})
        logger.warning("between batches")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first | {"timestamp": None} == {
        "timestamp": None, "level": "INFO", "logger": "iot.test.correlation", "message": "batch written",
        "plant": "plant-07", "run_id": "run-1", "query_id": "q1", "batch_id": 3, "duration_ms": 812.0, "rows": 120,
    }
    assert "batch_id" not in second and second["plant"] == "plant-07"


def test_an_unknown_correlation_field_is_refused():
    expected = r"among \['plant', 'query_id', 'batch_id', 'run_id'\], got \['site'\]"
    with pytest.raises(ObservabilityInputError, match=expected), correlation(site="x"):
        pass


def write_python_logs(path) -> None:
    with path.open("w") as stream:
        logger = json_logger("iot.test.analysis", stream)
        with correlation(query_id="silver", run_id="run-1"):
            batches = [(1, "plant-01", 900.0), (2, "plant-02", 4100.0), (3, "plant-01", 650.0)]
            for batch_id, plant, duration_ms in batches:
                with correlation(batch_id=batch_id, plant=plant):
                    logger.info("batch written", extra={"duration_ms": duration_ms})
            try:
                raise ValueError("reading without machine_id")
            except ValueError:
                logger.exception("batch failed")


def write_jvm_logs(spark, log_dir) -> None:
    """Point the session's log4j2 at the folder's JSON config, log one error with MDC, restore."""
    jvm = spark._jvm
    configurator = jvm.org.apache.logging.log4j.core.config.Configurator
    context = jvm.org.apache.logging.log4j.LogManager.getContext(False)
    original = context.getConfigLocation()
    jvm.java.lang.System.setProperty("iot.log.dir", str(log_dir))
    configurator.reconfigure(jvm.java.net.URI((FOLDER / "logging" / "log4j2-json.properties").as_uri()))
    try:
        thread_context = jvm.org.apache.logging.log4j.ThreadContext
        thread_context.put("query_id", "silver")
        thread_context.put("batch_id", "4")
        logger = jvm.org.apache.logging.log4j.LogManager.getLogger("iot.jvm.sink")
        logger.error("commit failed", jvm.java.lang.IllegalStateException("concurrent append"))
        thread_context.clearMap()
    finally:
        configurator.reconfigure(original)


def test_jvm_and_python_logs_are_analysed_together_with_spark(spark, tmp_path):
    write_python_logs(tmp_path / "python.jsonl")
    write_jvm_logs(spark, tmp_path)
    jvm_line = next(json.loads(line) for line in (tmp_path / "spark-jvm.jsonl").read_text().splitlines()
                    if "iot.jvm.sink" in line)
    assert (jvm_line["level"], jvm_line["query_id"], jvm_line["batch_id"]) == ("ERROR", "silver", "4")

    logs = read_json_logs(spark, str(tmp_path / "*.jsonl"))
    slowest = [tuple(row) for row in slowest_batches(logs, 2).collect()]
    assert slowest == [("silver", "2", "plant-02", 4100.0), ("silver", "1", "plant-01", 900.0)]
    errors = {row["error_class"]: row["count"] for row in errors_by_class(logs).collect()}
    assert errors == {"java.lang.IllegalStateException": 1, "ValueError": 1}


def test_json_logger_does_not_leak_to_the_root_logger(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO):
        json_logger("iot.test.isolated", stream).info("only in the JSON stream")
    assert caplog.records == [] and "only in the JSON stream" in stream.getvalue()
