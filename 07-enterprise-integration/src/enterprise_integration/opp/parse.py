"""Parse whole program files (one file = one program version) into typed rows, each valid or
carrying the reason it is not.

Example::

    raw = spark.read.format("text").option("wholetext", True).load(landing)
    parsed = parse_program_files(raw.select("value", col("_metadata.file_path").alias("source_file")))
    parsed.where("reason IS NULL")   # program versions; the rest go to quarantine with their reason
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from enterprise_integration.opp.schema import CORRUPT_COLUMN, JSON_PROGRAM_SCHEMA, XML_PROGRAM_SCHEMA

_PARSE_OPTIONS = {
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": CORRUPT_COLUMN,
    "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX",
}


class ProgramFileInputError(ValueError):
    """The raw file DataFrame lacks the columns parse_program_files needs."""


def parse_program_files(raw: DataFrame) -> DataFrame:
    """Columns out: source_file, content, program_id, version, program_type, robot_id, cell_id,
    released_at, target_cycle_time_s, operations, reason (NULL when the file is a valid version).

    ``raw`` has ``value`` (the whole file as text) and ``source_file`` (its path); the format
    comes from the extension (.xml, .json).
    """
    missing = {"value", "source_file"} - set(raw.columns)
    if missing:
        raise ProgramFileInputError(
            f"expected columns value and source_file, got {raw.columns} (missing {sorted(missing)})"
        )
    extension = F.lower(F.regexp_extract("source_file", r"\.([A-Za-z0-9]+)$", 1))
    from_xml = F.from_xml("value", XML_PROGRAM_SCHEMA, _PARSE_OPTIONS)
    from_json = F.from_json("value", JSON_PROGRAM_SCHEMA, _PARSE_OPTIONS)
    program = (
        F.when(extension == "xml", F.struct(*_fields(from_xml, from_xml["operations"]["operation"])))
        .when(extension == "json", F.struct(*_fields(from_json, from_json["operations"])))
    )
    parsed = raw.select(
        "source_file", F.col("value").alias("content"), extension.alias("extension"), program.alias("p")
    )
    flat = parsed.select(
        "source_file", "content", "extension",
        *[F.col(f"p.{name}").alias(name) for name in _OUTPUT_NAMES],
    )
    return flat.withColumn("reason", _reason()).drop("extension", "corrupt")


_OUTPUT_NAMES = ["program_id", "version", "program_type", "robot_id", "cell_id", "released_at",
                 "target_cycle_time_s", "operations", "corrupt"]


def _fields(program: Column, operations: Column) -> list[Column]:
    return [
        program["programId"].alias("program_id"),
        program["version"].alias("version"),
        program["programType"].alias("program_type"),
        program["robotId"].alias("robot_id"),
        program["cellId"].alias("cell_id"),
        program["releasedAt"].alias("released_at"),
        program["targetCycleTimeS"].alias("target_cycle_time_s"),
        operations.alias("operations"),
        program[CORRUPT_COLUMN].isNotNull().alias("corrupt"),
    ]


def _reason() -> Column:
    """The first rule a file breaks, in the order a reader would check them."""
    return (
        F.when(~F.col("extension").isin("xml", "json"), F.concat(F.lit("unsupported file type: ."), F.col("extension")))
        .when(F.col("corrupt") | F.col("program_id").isNull() & F.col("version").isNull(),
              F.concat(F.lit("malformed "), F.upper("extension"), F.lit(" or a value of the wrong type")))
        .when(F.col("program_id").isNull() | (F.trim("program_id") == ""), F.lit("missing programId"))
        .when(F.col("version").isNull() | (F.col("version") < 1), F.lit("version must be an integer >= 1"))
        .when(~F.col("program_type").isin("ROBOT", "NC"), F.lit("programType must be ROBOT or NC"))
        .when(F.col("robot_id").isNull() | F.col("cell_id").isNull(), F.lit("missing robotId or cellId"))
        .when(F.col("released_at").isNull(), F.lit("missing releasedAt"))
        .when(F.col("target_cycle_time_s").isNull() | (F.col("target_cycle_time_s") <= 0),
              F.lit("targetCycleTimeS must be > 0"))
        .when(F.coalesce(F.size("operations"), F.lit(-1)) < 1, F.lit("operations list is empty"))
    )
