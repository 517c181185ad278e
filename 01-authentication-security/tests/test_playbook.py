"""The playbook has exactly one section per cause name, and the report links to it."""
from __future__ import annotations

import re
from pathlib import Path

from kafka_auth_patterns.causes import CAUSES
from kafka_auth_patterns.diagnoser import Diagnosis
from kafka_auth_patterns.network_checks import CheckResult

PLAYBOOK = Path(__file__).resolve().parent.parent / "docs" / "auth-failure-playbook.md"


def test_every_cause_has_a_playbook_section_and_no_section_is_orphaned():
    sections = re.findall(r"^## (\S+)$", PLAYBOOK.read_text(), flags=re.MULTILINE)

    assert sorted(sections) == sorted(CAUSES)


def test_report_names_cause_fix_and_playbook_anchor():
    diagnosis = Diagnosis("localhost:9093 (SASL_SSL)", [
        CheckResult("dns", True, "localhost resolves to 127.0.0.1", 0.001),
        CheckResult("tcp", False, "localhost:9093 refused the connection", 0.002, "connection_refused",
                    "[Errno 111] Connection refused"),
    ], seconds=0.003)

    report = diagnosis.report()

    assert "[FAIL] tcp" in report and "error: [Errno 111] Connection refused" in report
    assert "Cause:  connection_refused" in report
    assert f"Fix:    {CAUSES['connection_refused'].fix}" in report
    assert "See:    docs/auth-failure-playbook.md#connection_refused" in report
    assert "[ -- ] tls              not run" in report
