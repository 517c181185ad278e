"""Input checks shared by discovery, extraction and ``progressive_flatten``: the map column is
``MAP<STRING,STRING>``, the group column is a string column.

Example::

    check_map_column(readings, "customExtension")          # raises SchemaInputError otherwise
    check_group_column(readings, "machine_type", "customExtension")
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import types as T

from delta_schema_evolution.errors import SchemaInputError


def check_map_column(frame: DataFrame, map_column: str) -> None:
    """Raise ``SchemaInputError`` unless ``map_column`` exists and is ``MAP<STRING,STRING>``."""
    if map_column not in frame.columns:
        raise SchemaInputError(f"map_column: expected one of {frame.columns}, got {map_column!r}")
    data_type = frame.schema[map_column].dataType
    if not (isinstance(data_type, T.MapType) and isinstance(data_type.keyType, T.StringType)
            and isinstance(data_type.valueType, T.StringType)):
        raise SchemaInputError(f"{map_column}: expected map<string,string>, got {data_type.simpleString()}")


def check_group_column(frame: DataFrame, group_column: str, map_column: str) -> None:
    """Raise ``SchemaInputError`` unless ``group_column`` is a string column other than ``map_column``."""
    if group_column not in frame.columns or group_column == map_column:
        raise SchemaInputError(f"group_column: expected one of {[c for c in frame.columns if c != map_column]}, "
                               f"got {group_column!r}")
    data_type = frame.schema[group_column].dataType
    if not isinstance(data_type, T.StringType):
        raise SchemaInputError(f"{group_column}: expected a string group column, got {data_type.simpleString()}")
