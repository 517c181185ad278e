"""The extraction watermark: the (change timestamp, key...) of the last entity landed, kept in the
landing table's own Delta commits so rows and watermark can never disagree.

A timestamp alone is not a position: SAP change timestamps have one-second resolution and many
entities share one. ``ChangedAt gt <last>`` loses the entities that share ``<last>`` but were not
landed yet; ``ChangedAt ge <last>`` lands the ones already landed again. The watermark therefore
carries the key as a tie-breaker and the filter asks for everything strictly after the pair.

Example::

    mark = Watermark(datetime(2026, 12, 6, 8, 0, tzinfo=UTC), ("000001000042",))
    mark.filter_expression("ChangedAt", ("OrderNumber",))
    # "ChangedAt gt datetime'2026-12-06T08:00:00' or (ChangedAt eq datetime'2026-12-06T08:00:00'
    #   and OrderNumber gt '000001000042')"
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from enterprise_integration.sap.errors import SapInputError
from enterprise_integration.sap.odata_values import datetime_filter_literal, string_filter_literal

METADATA_KEY = "sap_odata_watermark"


@dataclass(frozen=True)
class Watermark:
    """Position after the last landed entity, in the order ``change property, key properties``."""

    changed_at: datetime
    key: tuple[Any, ...]

    def filter_expression(self, change_property: str, key_properties: tuple[str, ...]) -> str:
        """The ``$filter`` for every entity strictly after this position."""
        if len(key_properties) != len(self.key):
            raise SapInputError(f"expected {len(self.key)} key properties, got {key_properties}")
        literal = datetime_filter_literal(self.changed_at)
        after_key = _after(list(zip(key_properties, self.key, strict=True)))
        return f"{change_property} gt {literal} or ({change_property} eq {literal} and {after_key})"

    def to_json(self, entity_set: str, run_id: str) -> str:
        """The commit metadata stored with the page that moved the watermark here."""
        return json.dumps(
            {METADATA_KEY: {"entity_set": entity_set, "changed_at": self.changed_at.isoformat(),
                            "key": list(self.key), "run_id": run_id}}
        )

    @classmethod
    def from_commit_metadata(cls, text: str, entity_set: str) -> Watermark | None:
        """The watermark in a commit's userMetadata, or None when it holds another entity set's or none."""
        try:
            document = json.loads(text)[METADATA_KEY]
        except (ValueError, KeyError, TypeError):
            return None
        if document.get("entity_set") != entity_set:
            return None
        return cls(datetime.fromisoformat(document["changed_at"]), tuple(document["key"]))


def read_watermark(
    spark: SparkSession, landing_path: str, entity_set: str, change_property: str, key_properties: tuple[str, ...]
) -> Watermark | None:
    """The watermark of the last page landed at ``landing_path``; None before the first page.

    Read from the newest commit carrying it; when log cleanup has removed those commits, derived
    from the landed rows themselves (the greatest change timestamp and key).
    """
    if not DeltaTable.isDeltaTable(spark, landing_path):
        return None
    history = (
        DeltaTable.forPath(spark, landing_path).history()
        .where(F.col("userMetadata").isNotNull())
        .orderBy(F.col("version").desc())
        .select("userMetadata")
        .collect()
    )
    for row in history:
        mark = Watermark.from_commit_metadata(row.userMetadata, entity_set)
        if mark is not None:
            return mark
    ordering = [F.col(c).desc() for c in (change_property, *key_properties)]
    last = spark.read.format("delta").load(landing_path).orderBy(*ordering).limit(1).collect()
    if not last:
        return None
    # PySpark returns timestamps as naive datetimes in the Python process's local time zone
    changed_at = last[0][change_property].astimezone(UTC)
    return Watermark(changed_at, tuple(last[0][k] for k in key_properties))


def _after(pairs: list[tuple[str, Any]]) -> str:
    name, value = pairs[0]
    literal = string_filter_literal(value) if isinstance(value, str) else str(value)
    if len(pairs) == 1:
        return f"{name} gt {literal}"
    return f"({name} gt {literal} or ({name} eq {literal} and {_after(pairs[1:])}))"
