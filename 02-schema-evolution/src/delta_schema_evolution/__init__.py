"""Delta schema evolution: compare schemas by path, resolve type conflicts, parse Delta's schema errors.

Example::

    from delta_schema_evolution import compare_schemas
    diff = compare_schemas(spark.read.format("delta").load(path).schema, incoming_df.schema)
    [(c.path, c.kind) for c in diff.changes]   # [('customExtension.value', 'incompatible')]
"""
from delta_schema_evolution.compare import SchemaChange, SchemaDiff, compare_schemas
from delta_schema_evolution.errors import (
    ConflictingPath,
    SchemaConflictError,
    SchemaEvolutionError,
    SchemaInputError,
)
from delta_schema_evolution.map_flattening import UNEXTRACTED_KEYS, discover_keys, extract_registered_keys

__all__ = [
    "UNEXTRACTED_KEYS",
    "discover_keys",
    "extract_registered_keys",
    "ConflictingPath",
    "SchemaChange",
    "SchemaConflictError",
    "SchemaDiff",
    "SchemaEvolutionError",
    "SchemaInputError",
    "compare_schemas",
]
