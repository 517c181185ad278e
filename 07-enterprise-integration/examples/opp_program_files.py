"""Load the sample OPP program exports: program versions with history, bad files in quarantine
with their reason, and the planned cycle time per version.

Run from the folder: ``python examples/opp_program_files.py`` (reads opp-data-processing/samples/)
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from catalog_tools.spark import local_spark
from enterprise_integration.opp import planned_cycle_times, start_program_file_stream


def main(argv: list[str] | None = None) -> None:
    samples = Path(__file__).resolve().parents[1] / "opp-data-processing" / "samples"
    work = Path(tempfile.mkdtemp(prefix="opp-example-"))
    landing = work / "landing"
    shutil.copytree(samples, landing)
    spark = local_spark(work / "spark", app_name="opp-program-files", shuffle_partitions=1)
    history_path, quarantine_path = str(work / "program_versions"), str(work / "program_quarantine")
    start_program_file_stream(
        spark, str(landing), history_path, quarantine_path, str(work / "checkpoint")
    ).awaitTermination()
    history = spark.read.format("delta").load(history_path)
    quarantine = spark.read.format("delta").load(quarantine_path)
    files = len(list(landing.iterdir()))
    print(f"files in: {files} = program versions: {history.count()} + quarantined: {quarantine.count()}")
    planned = planned_cycle_times(history).where("program_id = 'WELD-C1-P000'").orderBy("version")
    planned.select("program_id", "version", "planned_cycle_time_s", "valid_from", "valid_to").show(truncate=False)
    quarantine.selectExpr("element_at(split(source_file, '/'), -1) AS file", "reason").orderBy("file").show(
        truncate=False
    )
    spark.stop()


if __name__ == "__main__":
    main()
