"""Trigger each schema error on real Delta, parse it, and regenerate docs/error-reference.md.

Run it (from the folder, with the repo's venv)::

    ../.venv/bin/python examples/capture_delta_errors.py            # prints, and rewrites the doc
    ../.venv/bin/python examples/capture_delta_errors.py --no-doc   # prints only

Every scenario builds a one-row table in a temporary folder and performs the write a producer's
firmware change would cause. The captured message is quoted with the table id and paths masked.
"""
from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from catalog_tools.spark import local_spark
from delta_schema_evolution.delta_errors import error_chain_text, parse_delta_error

S, F = T.StructType, T.StructField
READING = S([F("value", T.StringType()), F("unit", T.StringType())])


def one_row(spark: SparkSession, column_type: T.DataType, value: object, row_id: int = 1,
            name: str = "v") -> DataFrame:
    return spark.createDataFrame([(row_id, value)], S([F("id", T.IntegerType()), F(name, column_type)]))


def append_with_merge_schema(frame: DataFrame, path: str) -> None:
    frame.write.format("delta").mode("append").option("mergeSchema", "true").save(path)


def merge_with_evolution(spark: SparkSession, frame: DataFrame, path: str) -> None:
    (DeltaTable.forPath(spark, path).alias("t").merge(frame.alias("s"), "t.id = s.id")
     .whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution().execute())


def map_string_into_map_struct(spark: SparkSession, path: str) -> None:
    """customExtension MAP<STRING,STRING> table; a firmware sends MAP<STRING,STRUCT<value,unit>>."""
    one_row(spark, T.MapType(T.StringType(), T.StringType()), {"temp": "71.5"}, name="customExtension") \
        .write.format("delta").save(path)
    merge_with_evolution(spark, one_row(spark, T.MapType(T.StringType(), READING), {"temp": ("71.5", "C")},
                                        name="customExtension"), path)


def map_struct_into_map_string(spark: SparkSession, path: str) -> None:
    """The reverse: the table already has MAP<STRING,STRUCT<...>>, an old firmware sends MAP<STRING,STRING>."""
    one_row(spark, T.MapType(T.StringType(), READING), {"temp": ("71.5", "C")}, name="customExtension") \
        .write.format("delta").save(path)
    merge_with_evolution(spark, one_row(spark, T.MapType(T.StringType(), T.StringType()), {"temp": "71.5"},
                                        name="customExtension"), path)


def long_into_int(spark: SparkSession, path: str) -> None:
    """rpm was INT; the new firmware sends BIGINT; append with mergeSchema, type widening off."""
    one_row(spark, T.IntegerType(), 1200, name="rpm").write.format("delta").save(path)
    append_with_merge_schema(one_row(spark, T.LongType(), 3_000_000_000, 2, name="rpm"), path)


def string_into_int_append(spark: SparkSession, path: str) -> None:
    """rpm was INT; a firmware sends it as a STRING; append with mergeSchema."""
    one_row(spark, T.IntegerType(), 1200, name="rpm").write.format("delta").save(path)
    append_with_merge_schema(one_row(spark, T.StringType(), "1250", 2, name="rpm"), path)


def string_into_int_merge(spark: SparkSession, path: str) -> None:
    """The same STRING through MERGE: accepted at analysis, cast at run time, and 'n/a' fails the job."""
    one_row(spark, T.IntegerType(), 1200, name="rpm").write.format("delta").save(path)
    merge_with_evolution(spark, one_row(spark, T.StringType(), "n/a", 2, name="rpm"), path)


def decimal_precision_change(spark: SparkSession, path: str) -> None:
    """energy_kwh was DECIMAL(10,2); the new meter reports DECIMAL(12,4); type widening off."""
    one_row(spark, T.DecimalType(10, 2), Decimal("12.50"), name="energy_kwh").write.format("delta").save(path)
    append_with_merge_schema(one_row(spark, T.DecimalType(12, 4), Decimal("12.5012"), 2, name="energy_kwh"), path)


def nested_struct_field_change(spark: SparkSession, path: str) -> None:
    """spindle.rpm was INT inside a struct; the new firmware sends it as STRING."""
    one_row(spark, S([F("rpm", T.IntegerType())]), (1200,), name="spindle").write.format("delta").save(path)
    append_with_merge_schema(one_row(spark, S([F("rpm", T.StringType())]), ("1250",), 2, name="spindle"), path)


def append_schema_mismatch(spark: SparkSession, path: str) -> None:
    """A new column arrives and the job appends without mergeSchema."""
    one_row(spark, T.IntegerType(), 1200, name="rpm").write.format("delta").save(path)
    frame = spark.createDataFrame([(2, 1250, "2.1.0")], "id INT, rpm INT, firmware STRING")
    frame.write.format("delta").mode("append").save(path)


SCENARIOS: dict[str, Callable[[SparkSession, str], None]] = {
    "map_string_into_map_struct": map_string_into_map_struct,
    "map_struct_into_map_string": map_struct_into_map_string,
    "long_into_int": long_into_int,
    "string_into_int_append": string_into_int_append,
    "string_into_int_merge": string_into_int_merge,
    "decimal_precision_change": decimal_precision_change,
    "nested_struct_field_change": nested_struct_field_change,
    "append_schema_mismatch": append_schema_mismatch,
}


def capture(spark: SparkSession, scenario: Callable[[SparkSession, str], None], path: str) -> BaseException:
    """Run ``scenario`` and return the exception it must raise."""
    try:
        scenario(spark, path)
    except Exception as error:  # noqa: BLE001 - capturing the real error is the point
        return error
    raise AssertionError(f"{scenario.__name__}: expected Delta to raise, it accepted the write")


def quoted_message(error: BaseException, base: str) -> str:
    """The message without the JVM stack trace, with the table id and temp paths masked."""
    parts = error_chain_text(error).split("\nCaused by: ")
    text = "\nCaused by: ".join(part.split("\n\nJVM stacktrace:")[0].strip() for part in parts)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<table-id>", text)
    return text.replace(base, "<tmp>")


def render_reference(captured: list[tuple[str, str, BaseException, str]]) -> str:
    lines = [
        "# Error reference: Delta schema errors, captured from real runs",
        "",
        "Generated by `examples/capture_delta_errors.py` on pyspark 4.0.0 + delta-spark 4.0.0 (local mode).",
        "Each section: the scenario, the exact message Delta raised (table id and temp paths masked) followed",
        "by each exception in its cause chain (the `Caused by:` prefix is added by the generator), and what",
        "`parse_delta_error(error)` extracted from the error alone. Given the table and incoming schemas too",
        "(as `safe_merge` does), the parser descends to the leaf: `customExtension.value`, `spindle.rpm`.",
        "",
    ]
    for name, doc, error, message in captured:
        parsed = parse_delta_error(error)
        lines += [
            f"## `{parsed.error_class}`: {name}", "", doc, "", "```text", message, "```", "",
            f"- error class: `{parsed.error_class}`; cause classes: {', '.join(parsed.cause_classes) or 'none'}",
            f"- field path: `{parsed.field_path}`; table type: `{parsed.table_type}`; "
            f"incoming type: `{parsed.incoming_type}`",
            f"- resolution: **{parsed.resolution}**", "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-doc", action="store_true", help="print only; do not rewrite docs/error-reference.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="capture-delta-errors-") as base:
        spark = local_spark(Path(base) / "spark", app_name="capture-delta-errors")
        spark.sparkContext.setLogLevel("OFF")  # the failing task's executor log would bury the output
        captured = []
        for name, scenario in SCENARIOS.items():
            error = capture(spark, scenario, str(Path(base) / name))
            message = quoted_message(error, base)
            captured.append((name, (scenario.__doc__ or "").strip(), error, message))
            parsed = parse_delta_error(error)
            print(f"{name}: {parsed.error_class} path={parsed.field_path} "
                  f"{parsed.table_type} -> {parsed.incoming_type} => {parsed.resolution}")
        document = render_reference(captured)
        spark.stop()
    if not args.no_doc:
        target = Path(__file__).resolve().parent.parent / "docs" / "error-reference.md"
        target.write_text(document)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
