"""Write benchmark results the way every folder does: JSON with the machine, plus a markdown table.

Example::

    >>> write_results(Path("benchmarks/results"), "broker_startup", {"median_s": 4.8},
    ...               rows=[{"run": 1, "seconds": 4.8}])  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any


def machine_facts() -> dict[str, Any]:
    """Cores, memory, CPU model, OS and Python: the context every published figure needs."""
    memory_gib = None
    if Path("/proc/meminfo").exists():
        total_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory_gib = round(total_kib / 1024 / 1024, 1)
    cpu_model = platform.processor()
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "cpu": cpu_model,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def markdown_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_results(
    results_dir: Path, name: str, summary: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[Path, Path]:
    """Write ``<name>.json`` (summary, rows, machine, time) and ``<name>.md`` (the table)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    machine = machine_facts()
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    json_path = results_dir / f"{name}.json"
    json_path.write_text(
        json.dumps({"benchmark": name, "measured_at": measured_at, "machine": machine,
                    "summary": summary, "rows": rows}, indent=2) + "\n"
    )
    md_path = results_dir / f"{name}.md"
    machine_line = f"{machine['cores']} cores, {machine['memory_gib']} GiB, {machine['cpu']}, {machine['os']}"
    summary_lines = "".join(f"- {key}: {value}\n" for key, value in summary.items())
    md_path.write_text(
        f"# {name}\n\nMeasured {measured_at} on {machine_line}.\n\n{summary_lines}\n{markdown_table(rows)}"
    )
    return json_path, md_path
