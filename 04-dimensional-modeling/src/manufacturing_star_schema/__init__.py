"""A manufacturing star schema on Delta Lake: SCD 1/2/3/6 as single MERGEs, surrogate keys, fact loads.

Example::

    >>> from manufacturing_star_schema import Scd2Spec, merge_scd2, assert_scd2_invariants
    >>> spec = Scd2Spec(natural_key=("machine_id",))
    >>> merge_scd2(spark, "/lake/dim_machine", changes, spec)  # doctest: +SKIP
"""

from manufacturing_star_schema.ddl import create_star_schema
from manufacturing_star_schema.errors import (
    ColumnTypeDriftError,
    InvalidSpecError,
    MissingColumnsError,
    OutOfOrderChangeError,
    ScdInvariantError,
    StarSchemaError,
)
from manufacturing_star_schema.fact_keys import lookup_key_as_of
from manufacturing_star_schema.fact_rekey import rekey_unknown_members
from manufacturing_star_schema.invariants import (
    OPEN_END,
    assert_one_row_per_key,
    assert_scd2_invariants,
    scd2_violations,
)
from manufacturing_star_schema.scd_results import ScdMergeResult
from manufacturing_star_schema.scd_specs import Scd1Spec, Scd2Spec, Scd3Spec, scd6_spec
from manufacturing_star_schema.scd_type1 import merge_scd1
from manufacturing_star_schema.scd_type2 import create_scd2_table, merge_scd2
from manufacturing_star_schema.scd_type3 import merge_scd3
from manufacturing_star_schema.scd_type6 import merge_scd6

__all__ = [
    "OPEN_END",
    "ColumnTypeDriftError",
    "InvalidSpecError",
    "MissingColumnsError",
    "OutOfOrderChangeError",
    "Scd1Spec",
    "Scd2Spec",
    "Scd3Spec",
    "ScdInvariantError",
    "ScdMergeResult",
    "StarSchemaError",
    "assert_one_row_per_key",
    "assert_scd2_invariants",
    "create_scd2_table",
    "create_star_schema",
    "lookup_key_as_of",
    "merge_scd1",
    "merge_scd2",
    "merge_scd3",
    "merge_scd6",
    "rekey_unknown_members",
    "scd2_violations",
    "scd6_spec",
]
