"""A readable report of an application's stages and findings.

Example::

    >>> print(format_report(app, findings))  # doctest: +SKIP
"""
from __future__ import annotations

from spark_performance_analyzer.findings import Finding
from spark_performance_analyzer.model import ApplicationMetrics


def format_report(app: ApplicationMetrics, findings: list[Finding]) -> str:
    lines = [f"Spark application {app.app_id}: {len(app.stages)} completed stages", ""]
    lines.append(f"{'stage':>5} {'tasks':>5} {'duration ms':>11} {'task ms median/max':>18} {'shuffle read':>13} "
                 f"{'shuffle write':>13} {'spill (disk)':>12}  name")
    for stage in app.stages:
        task_ms = f"{stage.median('duration_ms'):.0f}/{stage.maximum('duration_ms'):.0f}"
        lines.append(
            f"{stage.stage_id:>5} {stage.num_tasks:>5} {stage.duration_ms:>11.0f} {task_ms:>18} "
            f"{stage.total('shuffle_read_bytes'):>13.0f} {stage.total('shuffle_write_bytes'):>13.0f} "
            f"{stage.total('disk_spilled_bytes'):>12.0f}  {stage.name}"
        )
    lines.append("")
    if not findings:
        lines.append("No findings: no metric crossed its threshold.")
    for number, finding in enumerate(findings, start=1):
        lines += [f"{number}. {finding.headline()}", f"   evidence: {finding.evidence}", f"   fix: {finding.fix}"]
    return "\n".join(lines)
