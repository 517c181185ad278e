"""High-water-mark extraction over JDBC with an overlap window, for sources without CDC.

Example::

    >>> from enterprise_integration.incremental import JdbcIncrementalSource, run_incremental_extraction
"""
from enterprise_integration.incremental.high_water_mark import (
    IncrementalOptionsError,
    IncrementalRun,
    JdbcIncrementalSource,
    read_increment,
    run_incremental_extraction,
    stored_high_water_mark,
)

__all__ = [
    "IncrementalOptionsError",
    "IncrementalRun",
    "JdbcIncrementalSource",
    "read_increment",
    "run_incremental_extraction",
    "stored_high_water_mark",
]
