"""Progressive flattening of a ``MAP<STRING,STRING>`` column into typed columns, one module per step.

``flatten_map_column.progressive_flatten`` runs the whole method; the package root exports it.

* ``map_checks``: the map and group column checks every step starts with.
* ``key_discovery``: keys, counts, types and groups from a bounded sample.
* ``key_types``: type inference from sample values (scalars and JSON) and type widening.
* ``key_columns``: a distinct column name per key, even when keys sanitise to the same name.
* ``key_registry``: the Delta key registry, planned per batch and committed after it.
* ``column_guard``: the column-count warning and limit.
* ``key_extraction``: ``getItem`` + ``try_cast`` / ``from_json`` per registered key, and the guard.
* ``flat_table``: append with ``mergeSchema``, widen in place, OPTIMIZE ZORDER.
* ``long_lane``: explode only the entries no column took, with a reason.

Example::

    from delta_schema_evolution import FlatteningTables, progressive_flatten
    report = progressive_flatten(spark, readings, "customExtension", ["reading_id"], tables)
"""
