"""Schema contracts for Kafka topics: JSON Schema and Avro, payload validation, breaking changes.

Example::

    from plant_data_quality.topic_contracts import breaking_json_schema_changes, sensor_event_json_schema

    changes = breaking_json_schema_changes(sensor_event_json_schema(), proposed_schema)
    # [SchemaChange(kind='required_added', path='firmware_version', ...)] -> CI blocks the merge
"""
from plant_data_quality.topic_contracts.avro_compatibility import breaking_avro_changes
from plant_data_quality.topic_contracts.breaking_changes import SchemaChange, require_compatible
from plant_data_quality.topic_contracts.bundled import sensor_event_avro_schema, sensor_event_json_schema
from plant_data_quality.topic_contracts.json_schema_compatibility import breaking_json_schema_changes
from plant_data_quality.topic_contracts.payload_validation import (
    PayloadReport,
    validate_avro_records,
    validate_json_payloads,
)

__all__ = [
    "PayloadReport",
    "SchemaChange",
    "breaking_avro_changes",
    "breaking_json_schema_changes",
    "require_compatible",
    "sensor_event_avro_schema",
    "sensor_event_json_schema",
    "validate_avro_records",
    "validate_json_payloads",
]
