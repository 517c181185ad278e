"""Check a DataFrame's columns and types against the contract before any rule runs.

Example::

    check_declared_schema(readings_df, contract)   # ContractSchemaError names each difference
"""
from __future__ import annotations

from pyspark.sql import DataFrame

from plant_data_quality.contract import Contract
from plant_data_quality.errors import ContractSchemaError

# contract type name -> Spark's simpleString of the column type
SPARK_TYPE_NAMES = {"string": "string", "boolean": "boolean", "int": "int", "bigint": "bigint",
                    "double": "double", "float": "float", "date": "date", "timestamp": "timestamp"}


def check_declared_schema(df: DataFrame, contract: Contract) -> None:
    """Raise ContractSchemaError listing every missing column and every type that differs."""
    actual = {field.name: field.dataType.simpleString() for field in df.schema.fields}
    problems = []
    for column in contract.columns:
        expected_type = SPARK_TYPE_NAMES[column.type]
        if column.name not in actual:
            problems.append(f"{column.name}: expected a {expected_type} column, got no such column")
        elif actual[column.name] != expected_type:
            problems.append(f"{column.name}: expected {expected_type}, got {actual[column.name]}")
    if problems:
        raise ContractSchemaError(f"contract {contract.name!r} v{contract.version}: " + "; ".join(problems))
