"""Send the Spark JVM's log to a file instead of the console, for scripts a person watches.

Spark prints its WARN lines (native Hadoop, Kafka consumer settings, Delta retries...) to the
console, where they bury a demo's own progress lines. :func:`spark_log_to_file` writes a log4j2
configuration that sends every line to one file, and points the next JVM that pyspark launches at
it (through ``SPARK_SUBMIT_OPTS``). Call it before the first SparkSession is built.

Example::

    log_file = spark_log_to_file(work_dir)
    spark = local_spark(work_dir / "spark")
    print(f"Spark's log: {log_file}")
"""
from __future__ import annotations

import os
from pathlib import Path

SUBMIT_OPTS_ENV = "SPARK_SUBMIT_OPTS"
LOG4J2_TO_FILE = """\
# Generated at run time: every Spark JVM log line goes to one file, none to the console.
# Spark's logger has a level of its own here, equal to the root's: pyspark then keeps it and prints
# no "Setting default log level" lines to the console.
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.spark.name = org.apache.spark
logger.spark.level = info
logger.delta.name = io.delta
logger.delta.level = info
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
logger.kafka.name = org.apache.kafka
logger.kafka.level = warn
logger.parquet.name = org.apache.parquet
logger.parquet.level = warn
"""


def spark_log_to_file(folder: str | Path, file_name: str = "spark.log") -> Path:
    """Route the next Spark JVM's log4j2 output to ``folder/file_name``; return the log file's path."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / file_name
    config = folder / "spark-log4j2.properties"
    config.write_text(LOG4J2_TO_FILE.format(log_file=log_file))
    option = f"-Dlog4j2.configurationFile={config.as_uri()}"
    current = os.environ.get(SUBMIT_OPTS_ENV, "")
    if option not in current:
        os.environ[SUBMIT_OPTS_ENV] = f"{current} {option}".strip()
    return log_file
