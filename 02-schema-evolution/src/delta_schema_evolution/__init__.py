"""Delta schema evolution: compare schemas by path, resolve type conflicts in one MERGE, parse Delta's schema
errors, check Avro compatibility, and flatten a ``MAP<STRING,STRING>`` column into typed columns.

Every call the README shows is importable from here.

Example::

    from delta_schema_evolution import compare_schemas, safe_merge
    diff = compare_schemas(spark.read.format("delta").load(path).schema, incoming_df.schema)
    [(c.path, c.kind) for c in diff.changes]   # [('rpm', 'type_widening')]
    report = safe_merge(spark, path, incoming_df, keys=["id"], quarantine_path=quarantine_path)
"""
from delta_schema_evolution.avro_compatibility import CompatibilityResult, check_compatibility
from delta_schema_evolution.compare import SchemaChange, SchemaDiff, compare_schemas
from delta_schema_evolution.delta_errors import ParsedSchemaError, parse_delta_error
from delta_schema_evolution.errors import (
    ConflictingPath,
    SchemaConflictError,
    SchemaEvolutionError,
    SchemaInputError,
)
from delta_schema_evolution.flattening.column_guard import TableTooWideError, TableTooWideWarning
from delta_schema_evolution.flattening.flatten_map_column import (
    EntryCountMismatchError,
    FlatteningReport,
    FlatteningSettings,
    FlatteningTables,
    RowCountMismatchError,
    progressive_flatten,
)
from delta_schema_evolution.flattening.key_columns import assign_columns
from delta_schema_evolution.flattening.key_discovery import discover_keys
from delta_schema_evolution.flattening.key_extraction import UNEXTRACTED_KEYS, extract_registered_keys
from delta_schema_evolution.matrix_probe import TypePair, probe_one_by_one
from delta_schema_evolution.policy import SchemaPolicy
from delta_schema_evolution.safe_merge import Action, MergeReport, safe_merge
from delta_schema_evolution.schema_registry_client import SchemaRegistryClient, SchemaRegistryError

__all__ = [
    "UNEXTRACTED_KEYS",
    "Action",
    "CompatibilityResult",
    "ConflictingPath",
    "EntryCountMismatchError",
    "FlatteningReport",
    "FlatteningSettings",
    "FlatteningTables",
    "MergeReport",
    "ParsedSchemaError",
    "RowCountMismatchError",
    "SchemaChange",
    "SchemaConflictError",
    "SchemaDiff",
    "SchemaEvolutionError",
    "SchemaInputError",
    "SchemaPolicy",
    "SchemaRegistryClient",
    "SchemaRegistryError",
    "TableTooWideError",
    "TableTooWideWarning",
    "TypePair",
    "assign_columns",
    "check_compatibility",
    "compare_schemas",
    "discover_keys",
    "extract_registered_keys",
    "parse_delta_error",
    "probe_one_by_one",
    "progressive_flatten",
    "safe_merge",
]
