"""Incident case studies of a multi-plant manufacturer, composed from the catalog's pattern packages.

Not meant to be copied alone: every call here composes the public calls of 01, 02, 03, 04, 08,
09 and 10; copy those folders for the patterns themselves.

Example::

    from plant_case_studies import StarPaths, land_in_silver, load_gated_facts, line_ledger

    land_in_silver(spark, secured_kafka_stream(spark, client_config, topic), medallion, settings, "dev")
    load_gated_facts(spark, contract, medallion.silver, StarPaths.under(root))
    line_ledger(spark, medallion, StarPaths.under(root)).check(produced=len(messages))
"""
from plant_case_studies.errors import CaseStudyError, CaseStudyInputError, LedgerMismatchError
from plant_case_studies.firmware_rollout import (
    FirmwareReview,
    merge_firmware_payloads,
    payloads_as_read,
    review_firmware_schema,
)
from plant_case_studies.gated_star_schema import (
    FACT_COLUMNS,
    MACHINE_ATTRIBUTES,
    MACHINE_SPEC,
    StarPaths,
    keyed_contract_gate,
    load_gated_facts,
    register_machines,
)
from plant_case_studies.line_ledger import LineLedger, line_ledger
from plant_case_studies.medallion_landing import aggregate_gold_from_silver, land_in_silver
from plant_case_studies.on_call import record_merge_report, run_logging_failure
from plant_case_studies.plant_shift import machine_registrations, reading, shift_records
from plant_case_studies.secured_source import secured_kafka_stream

__all__ = [
    "FACT_COLUMNS",
    "MACHINE_ATTRIBUTES",
    "MACHINE_SPEC",
    "CaseStudyError",
    "CaseStudyInputError",
    "FirmwareReview",
    "LedgerMismatchError",
    "LineLedger",
    "StarPaths",
    "aggregate_gold_from_silver",
    "keyed_contract_gate",
    "land_in_silver",
    "line_ledger",
    "load_gated_facts",
    "machine_registrations",
    "merge_firmware_payloads",
    "payloads_as_read",
    "reading",
    "record_merge_report",
    "register_machines",
    "review_firmware_schema",
    "run_logging_failure",
    "secured_kafka_stream",
    "shift_records",
]
