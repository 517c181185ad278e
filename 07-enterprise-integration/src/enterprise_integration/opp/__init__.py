"""Offline-programming (OPP) program exports: XML/JSON files -> typed versions with history,
quarantine with reasons, planned cycle time per version.

Example::

    from enterprise_integration.opp import start_program_file_stream, planned_cycle_times

    start_program_file_stream(spark, landing, history_path, quarantine_path, checkpoint).awaitTermination()
"""
from enterprise_integration.opp.cycle_time import CycleInputError, join_cycles_to_plan, planned_cycle_times
from enterprise_integration.opp.history import DUPLICATE_VERSION_REASON, BatchOutcome, apply_program_versions
from enterprise_integration.opp.parse import ProgramFileInputError, parse_program_files
from enterprise_integration.opp.schema import (
    JSON_PROGRAM_SCHEMA,
    PROGRAM_VERSION_HISTORY,
    QUARANTINE,
    XML_PROGRAM_SCHEMA,
)
from enterprise_integration.opp.stream import start_program_file_stream

__all__ = [
    "DUPLICATE_VERSION_REASON",
    "JSON_PROGRAM_SCHEMA",
    "PROGRAM_VERSION_HISTORY",
    "QUARANTINE",
    "XML_PROGRAM_SCHEMA",
    "BatchOutcome",
    "CycleInputError",
    "ProgramFileInputError",
    "apply_program_versions",
    "join_cycles_to_plan",
    "parse_program_files",
    "planned_cycle_times",
    "start_program_file_stream",
]
