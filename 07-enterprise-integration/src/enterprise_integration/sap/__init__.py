"""SAP boundary: incremental OData V2 extraction into Delta, and the RFC/BAPI interfaces.

Example::

    from enterprise_integration.sap import ODataV2Client, extract_incremental, parse_metadata

    client = ODataV2Client(service_url)
    entity_sets = parse_metadata(client.fetch_metadata())
    extract_incremental(spark, client, entity_sets["ProductionOrderSet"], "ChangedAt", landing_path)
"""
from enterprise_integration.sap.errors import SapInputError, SapODataError, SapRetriesExhaustedError
from enterprise_integration.sap.extractor import ExtractionResult, extract_incremental, landing_schema
from enterprise_integration.sap.metadata import EntityProperty, EntitySetInfo, parse_metadata, spark_schema_for
from enterprise_integration.sap.odata_client import ODataPage, ODataV2Client
from enterprise_integration.sap.odata_values import (
    convert_property,
    datetime_filter_literal,
    format_odata_datetime,
    parse_odata_datetime,
)
from enterprise_integration.sap.watermark import Watermark, read_watermark

__all__ = [
    "EntityProperty",
    "EntitySetInfo",
    "ExtractionResult",
    "ODataPage",
    "ODataV2Client",
    "SapInputError",
    "SapODataError",
    "SapRetriesExhaustedError",
    "Watermark",
    "convert_property",
    "datetime_filter_literal",
    "extract_incremental",
    "format_odata_datetime",
    "landing_schema",
    "parse_metadata",
    "parse_odata_datetime",
    "read_watermark",
    "spark_schema_for",
]
