"""A contract run as JUnit XML, which CI systems show as a test report: one test case per rule.

Passed rules pass; blocked and quarantined rules (over their threshold) are failures whose message
says how many rows failed and shows the sample; warned rules pass with the warning in system-out.

Example::

    write_junit_xml(run, "reports/contract-sensor_readings.xml")
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from plant_data_quality.evaluation import ContractRun


def junit_xml(run: ContractRun) -> str:
    """The run's results as a JUnit XML document (one ``testsuite``)."""
    failures = [r for r in run.results if r.outcome in ("blocked", "quarantined")]
    suite = ET.Element("testsuite", name=f"contract.{run.contract.name}", tests=str(len(run.results)),
                       failures=str(len(failures)), errors="0", skipped="0",
                       timestamp=run.evaluated_at.isoformat())
    properties = ET.SubElement(suite, "properties")
    for name, value in (("contract_version", run.contract.version), ("run_id", run.run_id),
                        ("rows_in", run.rows_in), ("rows_passed", run.rows_passed),
                        ("rows_quarantined", run.rows_quarantined)):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for result in run.results:
        case = ET.SubElement(suite, "testcase", classname=f"contract.{run.contract.name}.{result.kind}",
                             name=result.rule)
        if result.outcome in ("blocked", "quarantined"):
            failure = ET.SubElement(case, "failure", type=result.outcome, message=result.describe())
            failure.text = f"on_fail={result.on_fail}; sample values: {list(result.sample_values)}"
        elif result.outcome == "warned":
            ET.SubElement(case, "system-out").text = f"warning: {result.describe()}"
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def write_junit_xml(run: ContractRun, path: str | Path) -> Path:
    """Write :func:`junit_xml` to ``path`` (parent folders created); return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(junit_xml(run))
    return target
