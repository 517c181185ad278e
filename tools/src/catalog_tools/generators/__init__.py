"""Seeded, deterministic manufacturing data: the same (n, seed, knobs) always gives the same bytes.

Pure-Python iterators feed Kafka producers; ``generate_*`` functions return Spark DataFrames
with explicit schemas built from the same rows. See tools/GENERATORS.md for schemas and knobs.
"""
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
)
from catalog_tools.generators.machine_config import (
    ConfigChangeBatch,
    iter_machine_config_changes,
    machine_config_changes,
)
from catalog_tools.generators.plants import (
    MACHINE_TYPES,
    PLANT_SITES,
    InvalidGeneratorArgumentError,
    iter_plant_hierarchy,
    machine_type_of,
)
from catalog_tools.generators.production import iter_production_output, iter_test_results
from catalog_tools.generators.sensors import (
    EXTENSION_KEYS,
    REQUIRED_FIELDS,
    TEMPERATURE_RANGE_C,
    SensorEventBatch,
    custom_extension,
    iter_sensor_readings,
    sensor_event_messages,
)

__all__ = [
    "EXTENSION_KEYS", "MACHINE_CONFIG_SCHEMA", "MACHINE_TYPES", "PLANT_HIERARCHY_SCHEMA", "PLANT_SITES",
    "PRODUCTION_OUTPUT_SCHEMA", "RAW_EVENT_SCHEMA", "REQUIRED_FIELDS", "SENSOR_READING_SCHEMA",
    "TEMPERATURE_RANGE_C", "TEST_RESULT_SCHEMA", "ConfigChangeBatch", "FaultCounts", "FaultPlan",
    "InvalidFaultPlanError", "InvalidGeneratorArgumentError", "SensorEventBatch", "custom_extension",
    "generate_machine_config_changes", "generate_plant_hierarchy", "generate_production_output",
    "generate_raw_sensor_events", "generate_sensor_readings", "generate_test_results",
    "iter_machine_config_changes", "iter_plant_hierarchy", "iter_production_output", "iter_sensor_readings",
    "iter_test_results", "machine_config_changes", "machine_type_of", "sensor_event_messages",
]
