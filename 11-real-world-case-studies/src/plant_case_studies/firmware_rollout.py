"""A firmware rollout that changes a field: reviewed against the topic contract, then merged by policy.

Two composed steps:

* before deploy, :func:`review_firmware_schema` compares the firmware's proposed event schema with
  the topic's contract (08's ``breaking_json_schema_changes``) and lists the fields it adds;
  ``require_compatible`` (08) turns breaking changes into a failed CI step;
* when the payloads arrive, :func:`merge_firmware_payloads` reads them with the types they carry
  and MERGEs them into the plant's readings table with 02's ``safe_merge``: a new field becomes a
  column, a value that casts to the table's type is merged, one that does not goes to quarantine
  with the reason, and ``rows_in == rows_merged + rows_quarantined``.

Example::

    review = review_firmware_schema(sensor_event_json_schema(), firmware_3_schema)
    [str(c) for c in review.breaking]   # ["type_changed at vibration_mm_s: ['null', 'number'] -> ['string']"]
    report = merge_firmware_payloads(spark, bronze_values, readings_path, quarantine_path)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from delta_schema_evolution import MergeReport, SchemaPolicy, safe_merge
from plant_case_studies.errors import CaseStudyInputError
from plant_data_quality.topic_contracts import SchemaChange, breaking_json_schema_changes


@dataclass(frozen=True)
class FirmwareReview:
    """What a firmware's event schema changes: the breaking changes (08) and the fields it adds."""

    breaking: tuple[SchemaChange, ...]
    added_fields: tuple[str, ...]

    @property
    def compatible(self) -> bool:
        return not self.breaking


def review_firmware_schema(current: dict[str, Any], proposed: dict[str, Any]) -> FirmwareReview:
    """Compare the proposed event schema (JSON Schema) of a firmware with the topic's current contract."""
    for name, schema in (("current", current), ("proposed", proposed)):
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            raise CaseStudyInputError(f"expected the {name} contract as a JSON Schema object with properties, "
                                      f"got {type(schema).__name__}")
    added = tuple(sorted(set(proposed["properties"]) - set(current["properties"])))
    return FirmwareReview(tuple(breaking_json_schema_changes(current, proposed)), added)


def payloads_as_read(spark: SparkSession, payloads: DataFrame, value_column: str = "value") -> DataFrame:
    """The JSON payloads with the types they carry (what a job reading raw payloads without a schema sees)."""
    if value_column not in payloads.columns:
        raise CaseStudyInputError(f"expected a payload column {value_column!r}, got columns {payloads.columns}")
    text = payloads.select(payloads[value_column].cast(T.StringType()).alias("value"))
    return spark.read.json(text.rdd.map(lambda row: row.value))


def merge_firmware_payloads(spark: SparkSession, payloads: DataFrame, table_path: str, quarantine_path: str,
                            keys: Sequence[str] = ("event_id",), policy: SchemaPolicy | None = None) -> MergeReport:
    """MERGE a batch of payloads into the readings table by 02's policy (the first batch creates the table)."""
    rows = payloads_as_read(spark, payloads)
    if "_corrupt_record" in rows.columns:
        raise CaseStudyInputError("expected JSON objects only (03's silver quarantines malformed records), got "
                                  f"{rows.where(rows['_corrupt_record'].isNotNull()).count()} malformed payload(s)")
    missing = [k for k in keys if k not in rows.columns]
    if missing:
        raise CaseStudyInputError(f"expected key fields {list(keys)} in the payloads, missing {missing}")
    if not DeltaTable.isDeltaTable(spark, table_path):
        rows.write.format("delta").mode("errorifexists").save(table_path)
        written = spark.read.format("delta").load(table_path).count()
        return MergeReport(table_path, written, written, 0, [], 0)
    return safe_merge(spark, table_path, rows, keys=list(keys), quarantine_path=quarantine_path, policy=policy)
