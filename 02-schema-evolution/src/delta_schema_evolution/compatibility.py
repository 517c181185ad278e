"""The type compatibility rules: how one leaf type in the table relates to the incoming type.

The classification answers "what must happen so rows of the incoming type can land in the table":

* ``safe_widening``: the incoming value converts to the table type without loss (int into a long
  column); cast the incoming column, the table is unchanged.
* ``type_widening``: the table column must become wider, and Delta 4.0 can do it in place with
  ``delta.enableTypeWidening`` (int column receiving longs).
* ``lossy_cast``: Spark can cast the incoming value to the table type but some values may fail or
  lose precision (string into int, long into int, decimal(12,2) into decimal(10,2)).
* ``incompatible``: no cast exists (MAP<STRING,STRING> against MAP<STRING,STRUCT<...>>).

Example::

    >>> from pyspark.sql.types import IntegerType, LongType
    >>> classify_leaf(table_type=IntegerType(), incoming_type=LongType())
    'type_widening'
    >>> classify_leaf(table_type=LongType(), incoming_type=IntegerType())
    'safe_widening'
"""
from __future__ import annotations

from pyspark.sql import types as T

SAFE_WIDENING = "safe_widening"
TYPE_WIDENING = "type_widening"
LOSSY_CAST = "lossy_cast"
INCOMPATIBLE = "incompatible"
SAME = "same"

_INTEGRAL_RANK = {T.ByteType: 1, T.ShortType: 2, T.IntegerType: 3, T.LongType: 4}
_INTEGRAL_DIGITS = {T.ByteType: 3, T.ShortType: 5, T.IntegerType: 10, T.LongType: 20}
_NUMERIC_ATOMIC = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.DecimalType)
_CASTABLE_FROM_STRING = _NUMERIC_ATOMIC + (T.BooleanType, T.DateType, T.TimestampType, T.TimestampNTZType)


def _integral_rank(data_type: T.DataType) -> int | None:
    return _INTEGRAL_RANK.get(type(data_type))


def lossless_conversion(source: T.DataType, target: T.DataType) -> bool:
    """True when every value of ``source`` converts to ``target`` exactly (a widening).

    Example::

        >>> lossless_conversion(T.DecimalType(10, 2), T.DecimalType(12, 4))
        True
    """
    if source == target:
        return True
    source_rank, target_rank = _integral_rank(source), _integral_rank(target)
    if source_rank and target_rank:
        return source_rank < target_rank
    if isinstance(source, T.FloatType) and isinstance(target, T.DoubleType):
        return True
    if source_rank and isinstance(target, T.DoubleType):
        return source_rank <= _INTEGRAL_RANK[T.IntegerType]
    if source_rank and isinstance(target, T.DecimalType):
        return target.precision - target.scale >= _INTEGRAL_DIGITS[type(source)]
    if isinstance(source, T.DecimalType) and isinstance(target, T.DecimalType):
        return target.scale >= source.scale and target.precision - target.scale >= source.precision - source.scale
    if isinstance(source, T.DateType) and isinstance(target, (T.TimestampNTZType, T.TimestampType)):
        return True
    return isinstance(target, T.StringType) and isinstance(source, _CASTABLE_FROM_STRING)


def delta_type_widening_supported(table_type: T.DataType, new_type: T.DataType) -> bool:
    """True when Delta 4.0's type widening can change a column from ``table_type`` to ``new_type``.

    Verified by tests/test_compatibility_matrix.py against real Delta: integral widenings, float to
    double, byte/short/int to double, integral to a decimal with enough integer digits, decimal
    precision/scale increases, and date to timestamp_ntz.

    Example::

        >>> delta_type_widening_supported(T.IntegerType(), T.LongType())
        True
        >>> delta_type_widening_supported(T.IntegerType(), T.StringType())
        False
    """
    if table_type == new_type or isinstance(new_type, T.StringType):
        return False
    if isinstance(table_type, T.DateType):
        return isinstance(new_type, T.TimestampNTZType)
    if isinstance(table_type, T.DecimalType) and not isinstance(new_type, T.DecimalType):
        return False
    if isinstance(table_type, (T.FloatType, T.DoubleType)) and not isinstance(new_type, T.DoubleType):
        return False
    return isinstance(table_type, _NUMERIC_ATOMIC) and lossless_conversion(table_type, new_type)


def spark_can_cast(source: T.DataType, target: T.DataType) -> bool:
    """A conservative subset of Spark's ``Cast.canCast`` for leaf types."""
    if source == target or isinstance(target, T.StringType):
        return not isinstance(source, (T.StructType, T.ArrayType, T.MapType))
    if isinstance(source, T.StringType):
        return isinstance(target, _CASTABLE_FROM_STRING)
    if isinstance(source, _NUMERIC_ATOMIC + (T.BooleanType,)):
        return isinstance(target, _NUMERIC_ATOMIC + (T.BooleanType,))
    if isinstance(source, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        return isinstance(target, (T.DateType, T.TimestampType, T.TimestampNTZType))
    return False


def classify_leaf(table_type: T.DataType, incoming_type: T.DataType) -> str:
    """Classify a non-container type pair; see the module docstring for the four outcomes."""
    if table_type == incoming_type:
        return SAME
    if lossless_conversion(incoming_type, table_type):
        return SAFE_WIDENING
    if delta_type_widening_supported(table_type, incoming_type):
        return TYPE_WIDENING
    if spark_can_cast(incoming_type, table_type):
        return LOSSY_CAST
    return INCOMPATIBLE
