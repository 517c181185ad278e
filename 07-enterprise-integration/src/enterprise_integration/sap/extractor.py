"""Incremental extraction of an SAP OData V2 entity set into a Delta landing table.

Each page is landed in one Delta commit that also records the watermark (see ``watermark``), so
a run that dies anywhere, even halfway through receiving a page, resumes from the last landed
entity: no duplicate, no gap. Pages are asked for by position ("everything after the
watermark", ordered by change timestamp and key) instead of by following ``__next``: a
``$skiptoken`` that counts rows skips an entity when an earlier one changes between two pages.

Example::

    result = extract_incremental(spark, client, entity_sets["ProductionOrderSet"], "ChangedAt",
                                 landing_path="/lake/landing/sap/production_orders")
    result.rows_landed, result.pages_landed, result.watermark
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.types import IntegerType, StringType, StructField, StructType, TimestampType

from enterprise_integration.sap.errors import SapInputError
from enterprise_integration.sap.metadata import EntitySetInfo, spark_schema_for
from enterprise_integration.sap.odata_client import ODataV2Client
from enterprise_integration.sap.odata_values import convert_property
from enterprise_integration.sap.watermark import Watermark, read_watermark

RUN_ID_COLUMN = "_extraction_run_id"
PAGE_COLUMN = "_extraction_page"
EXTRACTED_AT_COLUMN = "_extracted_at"


@dataclass(frozen=True)
class ExtractionResult:
    """What one run landed: its id, the pages and rows, and the watermark it ended at."""

    run_id: str
    pages_landed: int
    rows_landed: int
    watermark: Watermark | None


def landing_schema(entity_set: EntitySetInfo) -> StructType:
    """The landing table's schema: the entity's properties plus run id, page number and extraction time."""
    return StructType(
        spark_schema_for(entity_set).fields
        + [
            StructField(RUN_ID_COLUMN, StringType(), nullable=False),
            StructField(PAGE_COLUMN, IntegerType(), nullable=False),
            StructField(EXTRACTED_AT_COLUMN, TimestampType(), nullable=False),
        ]
    )


def extract_incremental(
    spark: SparkSession,
    client: ODataV2Client,
    entity_set: EntitySetInfo,
    change_property: str,
    landing_path: str,
    run_id: str | None = None,
    max_pages: int | None = None,
) -> ExtractionResult:
    """Land every entity changed after the stored watermark, page by page, and return the new watermark.

    ``change_property`` is the entity's change timestamp (Edm.DateTime/DateTimeOffset); the key
    properties come from ``$metadata``. ``max_pages`` bounds one run (the next run continues).
    """
    change = entity_set.property(change_property)
    if change.edm_type not in ("Edm.DateTime", "Edm.DateTimeOffset"):
        raise SapInputError(f"expected {change_property} to be Edm.DateTime(Offset), got {change.edm_type}")
    if not entity_set.key_properties:
        raise SapInputError(f"expected {entity_set.entity_type} to declare a key, got none")
    keys = entity_set.key_properties
    run_id = run_id or uuid.uuid4().hex
    schema = landing_schema(entity_set)
    orderby = ",".join((change_property, *keys))
    watermark = read_watermark(spark, landing_path, entity_set.name, change_property, keys)
    pages = rows_landed = 0
    while max_pages is None or pages < max_pages:
        filter_expression = watermark.filter_expression(change_property, keys) if watermark else None
        page = client.fetch_page(entity_set.name, filter_expression=filter_expression, orderby=orderby)
        if not page.results:
            break
        rows = [_row(entity, entity_set) for entity in page.results]
        positions = [(row[change_property], *(row[k] for k in keys)) for row in rows]
        _check_ordered_after(positions, watermark, orderby)
        watermark = Watermark(positions[-1][0], tuple(positions[-1][1:]))
        extracted_at = datetime.now(UTC)
        landed = [{**row, RUN_ID_COLUMN: run_id, PAGE_COLUMN: pages, EXTRACTED_AT_COLUMN: extracted_at} for row in rows]
        (
            spark.createDataFrame(landed, schema)
            .write.format("delta")
            .mode("append")
            .option("userMetadata", watermark.to_json(entity_set.name, run_id))
            .save(landing_path)
        )
        pages += 1
        rows_landed += len(rows)
        if not page.next_url:
            break
    return ExtractionResult(run_id, pages, rows_landed, watermark)


def _row(entity: dict[str, Any], entity_set: EntitySetInfo) -> dict[str, Any]:
    missing = [p.name for p in entity_set.properties if not p.nullable and entity.get(p.name) is None]
    if missing:
        raise SapInputError(f"expected non-null {missing} in {entity_set.entity_type}, got {entity.get('__metadata')}")
    return {p.name: convert_property(entity.get(p.name), p.edm_type) for p in entity_set.properties}


def _check_ordered_after(positions: list[tuple[Any, ...]], watermark: Watermark | None, orderby: str) -> None:
    previous = (watermark.changed_at, *watermark.key) if watermark else None
    for index, position in enumerate(positions):
        if previous is not None and not position > previous:
            raise SapInputError(
                f"expected entities strictly ordered by {orderby} after the watermark, "
                f"got {position} after {previous} at row {index} (does the service honour $filter and $orderby?)"
            )
        previous = position
