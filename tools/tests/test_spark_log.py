"""Scripts a person watches send the Spark JVM's log to a file, not the console."""
from __future__ import annotations

import os

from catalog_tools.spark_log import SUBMIT_OPTS_ENV, spark_log_to_file


def test_the_next_spark_jvm_is_pointed_at_a_log4j2_file_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv(SUBMIT_OPTS_ENV, "-Dexisting=1")

    log_file = spark_log_to_file(tmp_path / "logs")
    spark_log_to_file(tmp_path / "logs")  # a second call adds nothing

    config = tmp_path / "logs" / "spark-log4j2.properties"
    assert log_file == tmp_path / "logs" / "spark.log"
    assert f"appender.file.fileName = {log_file}\n" in config.read_text()
    assert "Console" not in config.read_text()
    assert os.environ[SUBMIT_OPTS_ENV] == f"-Dexisting=1 -Dlog4j2.configurationFile={config.as_uri()}"
