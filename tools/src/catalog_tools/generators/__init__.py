"""Seeded, deterministic manufacturing IoT data: the same (n, seed, knobs) gives the same bytes.

Pure-Python iterators and functions feed Kafka producers and Spark-free tests; ``generate_*``
functions return Spark DataFrames with explicit schemas built from the same rows. Schemas,
knobs and the fault-count contract are in tools/GENERATORS.md.

Example::

    >>> from catalog_tools.generators import FaultPlan, sensor_event_messages
    >>> batch = sensor_event_messages(1000, seed=7, faults=FaultPlan(duplicate_rate=0.02, late=5))
    >>> batch.counts.duplicates, batch.counts.late, len(batch.messages)
    (20, 5, 1020)
"""
from catalog_tools.generators.common import (
    DEFAULT_START,
    InvalidGeneratorArgumentError,
    epoch_ms,
    exact_count,
    format_timestamp,
    parse_timestamp,
    to_json_document,
)
from catalog_tools.generators.events import (
    IMPOSSIBLE_VALUES,
    SensorEventBatch,
    encode_event,
    raw_event_rows,
    sensor_event_messages,
)
from catalog_tools.generators.extension import (
    EXTENSION_SPECS,
    FIRMWARE_TRAIN,
    SENSOR_FIRMWARE_AFTER,
    SENSOR_FIRMWARE_BEFORE,
    ExtensionSpec,
    custom_extension,
    extension_keys,
    has_drifted,
)
from catalog_tools.generators.faults import FaultCounts, FaultPlan, InvalidFaultPlanError
from catalog_tools.generators.frames import (
    MACHINE_CONFIG_SCHEMA,
    PLANT_HIERARCHY_SCHEMA,
    PRODUCTION_OUTPUT_SCHEMA,
    RAW_EVENT_SCHEMA,
    SENSOR_READING_SCHEMA,
    TEST_RESULT_SCHEMA,
    generate_machine_config_changes,
    generate_plant_hierarchy,
    generate_production_output,
    generate_raw_sensor_events,
    generate_sensor_readings,
    generate_test_results,
    rows_to_frame,
)
from catalog_tools.generators.inspection import MEASUREMENTS, PRODUCTS, iter_test_results
from catalog_tools.generators.machine_config import (
    TRACKED_ATTRIBUTES,
    ConfigChangeBatch,
    iter_machine_config_changes,
    machine_config_changes,
)
from catalog_tools.generators.plants import (
    MACHINE_TYPES,
    PLANT_SITES,
    PlantSite,
    hot_machine_ids,
    iter_machines,
    iter_plant_hierarchy,
    machine_type_of,
)
from catalog_tools.generators.production import SHIFTS, iter_production_output
from catalog_tools.generators.sensors import (
    METRIC_RANGES,
    REQUIRED_FIELDS,
    TEMPERATURE_RANGE_C,
    iter_sensor_readings,
)

__all__ = [
    "ConfigChangeBatch", "DEFAULT_START", "EXTENSION_SPECS", "ExtensionSpec", "FIRMWARE_TRAIN",
    "FaultCounts", "FaultPlan", "IMPOSSIBLE_VALUES", "InvalidFaultPlanError",
    "InvalidGeneratorArgumentError", "MACHINE_CONFIG_SCHEMA", "MACHINE_TYPES", "MEASUREMENTS",
    "METRIC_RANGES", "PLANT_HIERARCHY_SCHEMA", "PLANT_SITES", "PRODUCTION_OUTPUT_SCHEMA",
    "PRODUCTS", "PlantSite", "RAW_EVENT_SCHEMA", "REQUIRED_FIELDS", "SENSOR_FIRMWARE_AFTER",
    "SENSOR_FIRMWARE_BEFORE", "SENSOR_READING_SCHEMA", "SHIFTS", "SensorEventBatch",
    "TEMPERATURE_RANGE_C", "TEST_RESULT_SCHEMA", "TRACKED_ATTRIBUTES", "custom_extension",
    "encode_event", "epoch_ms", "exact_count", "extension_keys", "format_timestamp",
    "generate_machine_config_changes", "generate_plant_hierarchy", "generate_production_output",
    "generate_raw_sensor_events", "generate_sensor_readings", "generate_test_results",
    "has_drifted", "hot_machine_ids", "iter_machine_config_changes", "iter_machines",
    "iter_plant_hierarchy", "iter_production_output", "iter_sensor_readings", "iter_test_results",
    "machine_config_changes", "machine_type_of", "parse_timestamp", "raw_event_rows",
    "rows_to_frame", "sensor_event_messages", "to_json_document"
]
