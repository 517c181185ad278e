"""A manufacturing star schema on Delta Lake: SCD 1/2/3/6 as single MERGEs, surrogate keys, fact loads.

Example::

    >>> from manufacturing_star_schema import Scd2Spec, merge_scd2, assert_scd2_invariants
    >>> spec = Scd2Spec(natural_key=("machine_id",))
    >>> merge_scd2(spark, "/lake/dim_machine", changes, spec)  # doctest: +SKIP
"""

from manufacturing_star_schema.errors import (
    ColumnTypeDriftError,
    InvalidSpecError,
    MissingColumnsError,
    OutOfOrderChangeError,
    ScdInvariantError,
    StarSchemaError,
)
from manufacturing_star_schema.invariants import (
    OPEN_END,
    assert_one_row_per_key,
    assert_scd2_invariants,
    scd2_violations,
)
from manufacturing_star_schema.scd_type2 import (
    Scd2Spec,
    ScdMergeResult,
    build_scd2_staging,
    create_scd2_table,
    merge_scd2,
)

__all__ = [
    "OPEN_END",
    "ColumnTypeDriftError",
    "InvalidSpecError",
    "MissingColumnsError",
    "OutOfOrderChangeError",
    "Scd2Spec",
    "ScdInvariantError",
    "ScdMergeResult",
    "StarSchemaError",
    "assert_one_row_per_key",
    "assert_scd2_invariants",
    "build_scd2_staging",
    "create_scd2_table",
    "merge_scd2",
    "scd2_violations",
]
