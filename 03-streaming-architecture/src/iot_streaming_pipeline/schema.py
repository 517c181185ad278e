"""The explicit schema of a sensor event; silver never infers a schema from the data.

Example::

    >>> [f.name for f in SENSOR_EVENT_SCHEMA.fields][:3]
    ['event_id', 'machine_id', 'machine_type']
"""
from __future__ import annotations

from pyspark.sql.types import DoubleType, MapType, StringType, StructField, StructType

SENSOR_EVENT_SCHEMA = StructType([
    StructField("event_id", StringType()),
    StructField("machine_id", StringType()),
    StructField("machine_type", StringType()),
    StructField("plant_id", StringType()),
    StructField("line_id", StringType()),
    StructField("firmware_version", StringType()),
    StructField("event_time", StringType()),
    StructField("temperature_c", DoubleType()),
    StructField("vibration_mm_s", DoubleType()),
    StructField("pressure_bar", DoubleType()),
    StructField("spindle_speed_rpm", DoubleType()),
    StructField("customExtension", MapType(StringType(), StringType())),
])

EVENT_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"
