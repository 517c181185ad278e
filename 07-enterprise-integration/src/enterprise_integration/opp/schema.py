"""Explicit schemas of offline-programming (OPP) program exports, one per file format, and of the
tables the pipeline writes.

A program version export carries: programId, version, programType (ROBOT or NC), robotId,
cellId, releasedAt, targetCycleTimeS and its operations (seq, type, durationS).

Example::

    from_json(col("value"), JSON_PROGRAM_SCHEMA)
    from_xml(col("value"), XML_PROGRAM_SCHEMA)     # root element <RobotProgram>
"""
from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

OPERATION = StructType([
    StructField("seq", IntegerType()),
    StructField("type", StringType()),
    StructField("durationS", DoubleType()),
])

_HEADER = [
    StructField("programId", StringType()),
    StructField("version", IntegerType()),
    StructField("programType", StringType()),
    StructField("robotId", StringType()),
    StructField("cellId", StringType()),
    StructField("releasedAt", TimestampType()),
    StructField("targetCycleTimeS", DoubleType()),
]

CORRUPT_COLUMN = "_corrupt_record"

JSON_PROGRAM_SCHEMA = StructType(
    _HEADER + [StructField("operations", ArrayType(OPERATION)), StructField(CORRUPT_COLUMN, StringType())]
)

# XML nests a list in a wrapper element: <operations><operation>...</operation>...</operations>
XML_PROGRAM_SCHEMA = StructType(
    _HEADER
    + [
        StructField("operations", StructType([StructField("operation", ArrayType(OPERATION))])),
        StructField(CORRUPT_COLUMN, StringType()),
    ]
)

PROGRAM_VERSION_HISTORY = StructType([
    StructField("program_id", StringType(), nullable=False),
    StructField("version", IntegerType(), nullable=False),
    StructField("program_type", StringType()),
    StructField("robot_id", StringType()),
    StructField("cell_id", StringType()),
    StructField("target_cycle_time_s", DoubleType()),
    StructField("operation_count", IntegerType()),
    StructField("operations", ArrayType(OPERATION)),
    StructField("valid_from", TimestampType()),
    StructField("valid_to", TimestampType()),
    StructField("is_current", BooleanType()),
    StructField("source_file", StringType()),
])

QUARANTINE = StructType([
    StructField("source_file", StringType()),
    StructField("reason", StringType()),
    StructField("content", StringType()),
    StructField("batch_id", LongType()),
])
