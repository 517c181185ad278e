"""Every record of the line, accounted for from the topic to the fact table.

Read back from the tables themselves: bronze (03), 03's silver ledger (silver, quarantine, late,
duplicates per batch), the fact table and its contract quarantine (08). The equation checked:

``records on the topic = fact rows + contract quarantine + parse quarantine + late + duplicates``

Example::

    ledger = line_ledger(spark, medallion_paths, star_paths)
    ledger.check(produced=12)   # LedgerMismatchError naming the stage that lost or doubled rows
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from iot_streaming_pipeline import PipelinePaths, ledger_totals
from plant_case_studies.errors import LedgerMismatchError
from plant_case_studies.gated_star_schema import StarPaths


@dataclass(frozen=True)
class LineLedger:
    """Row counts per stage of the line."""

    bronze: int
    silver_rows_in: int
    silver: int
    parse_quarantine: int
    late: int
    duplicates: int
    fact: int
    contract_quarantine: int

    @property
    def accounted(self) -> int:
        """Rows that reached a final table: fact, either quarantine, late events or duplicates."""
        return self.fact + self.contract_quarantine + self.parse_quarantine + self.late + self.duplicates

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "accounted": self.accounted}

    def check(self, produced: int) -> None:
        """Raise :class:`LedgerMismatchError` at the first stage whose rows do not add up."""
        stages = (("bronze (records on the topic)", produced, self.bronze),
                  ("silver ledger (bronze rows classified)", self.bronze, self.silver_rows_in),
                  ("fact + contract quarantine (silver rows gated)", self.silver, self.fact + self.contract_quarantine),
                  ("end to end (records on the topic)", produced, self.accounted))
        for stage, expected, actual in stages:
            if expected != actual:
                raise LedgerMismatchError(stage, expected=expected, actual=actual)


def _count(spark: SparkSession, path: str) -> int:
    return spark.read.format("delta").load(path).count() if DeltaTable.isDeltaTable(spark, path) else 0


def line_ledger(spark: SparkSession, medallion: PipelinePaths, star: StarPaths) -> LineLedger:
    """Count every stage from the tables (a missing fact or quarantine table counts as empty)."""
    totals = ledger_totals(spark, medallion)
    return LineLedger(
        bronze=_count(spark, medallion.bronze),
        silver_rows_in=totals["rows_in"],
        silver=totals["silver"],
        parse_quarantine=totals["quarantine"],
        late=totals["late"],
        duplicates=totals["duplicate_in_batch"] + totals["duplicate_of_earlier"],
        fact=_count(spark, star.fact_reading),
        contract_quarantine=_count(spark, star.fact_quarantine),
    )
