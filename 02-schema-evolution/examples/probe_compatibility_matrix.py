"""Re-run the compatibility matrix against the Delta you have, and (re)write docs/compatibility-matrix.md.

Run it (from the folder, with the repo's venv)::

    ../.venv/bin/python examples/probe_compatibility_matrix.py             # probe + compare, print diffs
    ../.venv/bin/python examples/probe_compatibility_matrix.py --doc-only  # rewrite the doc, no Spark

On another runtime (a Databricks cluster), call ``probe_one_by_one`` from the package the same way to
see where that runtime differs from Delta 4.0.0. Exit code 1 when a cell differs.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from catalog_tools.spark import local_spark
from delta_schema_evolution.compatibility_matrix import COMPATIBILITY_MATRIX, MATRIX_COLUMNS, matrix_markdown
from delta_schema_evolution.matrix_probe import (
    ALTER_COLUMN_TYPE,
    APPEND_MERGE_SCHEMA,
    MERGE_WITH_SCHEMA_EVOLUTION,
    probe_one_by_one,
)

OPERATION_OF_COLUMN = {
    "append": (APPEND_MERGE_SCHEMA, False),
    "merge": (MERGE_WITH_SCHEMA_EVOLUTION, False),
    "append_tw": (APPEND_MERGE_SCHEMA, True),
    "merge_tw": (MERGE_WITH_SCHEMA_EVOLUTION, True),
    "alter_tw": (ALTER_COLUMN_TYPE, True),
}

HEADER = """# Compatibility matrix (Delta 4.0.0, pyspark 4.0.0)

What Delta does when the incoming type of a column differs from the table's. Every cell is confirmed
on real Delta by `tests/test_compatibility_matrix.py` (and can be re-probed with
`examples/probe_compatibility_matrix.py`). Row = `table type->incoming type`.

* **append**: `df.write.mode("append").option("mergeSchema", "true")`
* **merge**: `MERGE ... whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution()`
* **append_tw / merge_tw**: the same, with `delta.enableTypeWidening = true` on the table
* **alter_tw**: `ALTER TABLE ... ALTER COLUMN <path> TYPE <incoming type>`, type widening on

`ok: <type>` is the column type after the write. A `merge` cell that keeps the table type means
MERGE **cast the incoming values down to the table type** (`'n/a'` into an `int`
fails the job at run time with `CAST_INVALID_INPUT`). Bold = the error class Delta raised.

"""

FINDINGS = """
## What the runs showed (and what surprised us)

1. Without type widening, `append` + `mergeSchema` accepts only `byte->short` and `short->int`; even a
   *narrower* incoming type (`long` table, `int` batch) fails with `DELTA_FAILED_TO_MERGE_FIELDS`.
   Cast the batch to the table's types first (safe_merge does).
2. MERGE with schema evolution accepts every scalar pair and silently casts to the table type unless
   type widening is on; only the MAP<STRING,STRING> vs MAP<STRING,STRUCT> pairs fail at analysis.
3. With `delta.enableTypeWidening`, append and MERGE widen integral types, float->double, decimal
   precision/scale increases, and nested struct fields, map values and array elements.
4. `int->double`, `int->decimal(10,0)` and `long->decimal(20,0)` are supported widenings that
   Delta 4.0 applies only through `ALTER COLUMN ... TYPE`, never automatically.
5. `date->timestamp_ntz` is a supported widening, but fails with
   `DELTA_FEATURES_REQUIRE_MANUAL_ENABLEMENT` until the table enables `delta.feature.timestampNtz`.
6. `long->double` and `date->timestamp` are not supported widenings
   (`DELTA_UNSUPPORTED_ALTER_TABLE_CHANGE_COL_OP`).
"""


def write_doc() -> Path:
    target = Path(__file__).resolve().parent.parent / "docs" / "compatibility-matrix.md"
    target.write_text(HEADER + matrix_markdown() + FINDINGS)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc-only", action="store_true", help="rewrite the doc from the matrix, no Spark")
    args = parser.parse_args(argv)
    differences = 0
    if not args.doc_only:
        with tempfile.TemporaryDirectory(prefix="probe-matrix-") as base:
            spark = local_spark(Path(base) / "spark", app_name="probe-compatibility-matrix")
            pairs = [row.pair for row in COMPATIBILITY_MATRIX]
            for column in MATRIX_COLUMNS:
                operation, type_widening = OPERATION_OF_COLUMN[column]
                observed = probe_one_by_one(spark, str(Path(base) / column), pairs, operation, type_widening)
                for row in COMPATIBILITY_MATRIX:
                    if observed[row.name] != row.outcome(column):
                        differences += 1
                        print(f"DIFF {column} {row.name}: matrix {row.outcome(column)}, Delta {observed[row.name]}")
                print(f"{column}: probed {len(pairs)} pairs")
            spark.stop()
    print(f"wrote {write_doc()}; {differences} cell(s) differ")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
