"""Keep program versions as history: each version is valid from its release until the next
version of the same program is released (SCD type 2, ordered by version number, so a version that
arrives late still lands in its place).

Example::

    outcome = apply_program_versions(spark, parsed_batch, history_path, quarantine_path, batch_id=7)
    outcome.versions_added, outcome.files_quarantined
"""
from __future__ import annotations

from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, Row, SparkSession, Window
from pyspark.sql import functions as F

from enterprise_integration.opp.schema import PROGRAM_VERSION_HISTORY, QUARANTINE

DUPLICATE_VERSION_REASON = "program version already loaded from another file"


@dataclass(frozen=True)
class BatchOutcome:
    """Files seen in one batch, split into versions added, quarantined and replays ignored."""

    files_in: int
    versions_added: int
    files_quarantined: int
    replayed_files: int


def apply_program_versions(
    spark: SparkSession, parsed: DataFrame, history_path: str, quarantine_path: str, batch_id: int,
    app_id: str = "opp-program-files",
) -> BatchOutcome:
    """Add a batch of parsed files (see ``parse_program_files``) to the history table and the rest
    to quarantine; one Delta commit each, safe to replay for the same ``batch_id``.

    A second file with an already loaded (program_id, version) goes to quarantine; the same file
    seen again (a replayed batch) changes nothing. One row per file, so the batch is routed on the
    driver.
    """
    _ensure_table(spark, history_path, PROGRAM_VERSION_HISTORY)
    _ensure_table(spark, quarantine_path, QUARANTINE)
    files = sorted(parsed.collect(), key=lambda r: r.source_file)
    programs = sorted({f.program_id for f in files if f.reason is None})
    history = spark.read.format("delta").load(history_path)
    loaded = {
        (r.program_id, r.version): r.source_file
        for r in history.where(F.col("program_id").isin(programs)).select("program_id", "version", "source_file")
        .collect()
    } if programs else {}
    new_versions, quarantine_rows, replayed = [], [], 0
    for file in files:
        key = (file.program_id, file.version)
        if file.reason is not None:
            quarantine_rows.append((file.source_file, file.reason, file.content, batch_id))
        elif loaded.get(key) == file.source_file:
            replayed += 1
        elif key in loaded:
            quarantine_rows.append((file.source_file, DUPLICATE_VERSION_REASON, file.content, batch_id))
        else:
            loaded[key] = file.source_file
            new_versions.append(file)
    _merge_versions(spark, history, new_versions, history_path)
    if quarantine_rows:
        (
            spark.createDataFrame(quarantine_rows, QUARANTINE).write.format("delta").mode("append")
            .option("txnAppId", app_id).option("txnVersion", batch_id).save(quarantine_path)
        )
    return BatchOutcome(len(files), len(new_versions), len(quarantine_rows), replayed)


def _merge_versions(spark: SparkSession, history: DataFrame, new_versions: list[Row], history_path: str) -> None:
    if not new_versions:
        return
    incoming = spark.createDataFrame(
        [
            (v.program_id, v.version, v.program_type, v.robot_id, v.cell_id, v.target_cycle_time_s,
             len(v.operations), v.operations, v.released_at, None, True, v.source_file)
            for v in new_versions
        ],
        PROGRAM_VERSION_HISTORY,
    )
    programs = incoming.select("program_id").distinct()
    affected = history.join(programs, "program_id", "left_semi").unionByName(incoming)
    by_version = Window.partitionBy("program_id").orderBy("version")
    recomputed = affected.withColumn("valid_to", F.lead("valid_from").over(by_version)).withColumn(
        "is_current", F.lead("version").over(by_version).isNull()
    )
    (
        DeltaTable.forPath(spark, history_path).alias("h")
        .merge(recomputed.alias("s"), "h.program_id = s.program_id AND h.version = s.version")
        .whenMatchedUpdate(
            condition="NOT (h.valid_to <=> s.valid_to) OR h.is_current <> s.is_current",
            set={"valid_to": "s.valid_to", "is_current": "s.is_current"},
        )
        .whenNotMatchedInsertAll()
        .execute()
    )


def _ensure_table(spark: SparkSession, path: str, schema) -> None:
    if not DeltaTable.isDeltaTable(spark, path):
        spark.createDataFrame([], schema).write.format("delta").mode("ignore").save(path)
