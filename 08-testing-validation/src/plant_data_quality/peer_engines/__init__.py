"""The same contract run by Great Expectations and by Databricks Labs DQX, and a rule-by-rule comparison.

Needs the ``peers`` extra (``great-expectations``, ``databricks-labs-dqx``); the core package does not.

Example::

    from plant_data_quality.peer_engines import compare_engines, local_spark_versions_endpoint

    with local_spark_versions_endpoint() as host:
        rows = compare_engines(readings_df, contract, now=batch_time, dimensions=dims, dqx_host=host)
"""
from plant_data_quality.peer_engines.comparison import EngineComparison, compare_engines, comparison_table
from plant_data_quality.peer_engines.dqx_translation import contract_to_dqx_checks, dqx_engine, dqx_failing_rows
from plant_data_quality.peer_engines.gx_translation import contract_to_gx_suite, gx_failing_rows
from plant_data_quality.peer_engines.local_workspace import local_spark_versions_endpoint

__all__ = [
    "EngineComparison",
    "compare_engines",
    "comparison_table",
    "contract_to_dqx_checks",
    "contract_to_gx_suite",
    "dqx_engine",
    "dqx_failing_rows",
    "gx_failing_rows",
    "local_spark_versions_endpoint",
]
