"""Diagnose a log with the library: name the incident, show the evidence, point at the playbook.

Run from the folder: ``python examples/diagnose_a_log.py [LOGFILE]``. Without an argument it reads
the captured wrong-password failure in ``corpus/``. Exits 0 when an incident is named, 1 if unknown,
3 for a known Databricks-only error (its reference entry instead of a playbook).
"""
from __future__ import annotations

import sys
from pathlib import Path

from production_playbooks import diagnose_file, format_diagnosis

DEFAULT_LOG = Path(__file__).resolve().parents[1] / "corpus" / "kafka-sasl-wrong-password" / "spark-kafka-source.log"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    log = Path(args[0]) if args else DEFAULT_LOG
    diagnosis = diagnose_file(log)
    print(format_diagnosis(diagnosis), end="")
    if diagnosis.incident is not None:
        print(f"next: open {diagnosis.playbook}, run its 'How to confirm' commands, then its 'Fix' steps")
        return 0
    if diagnosis.known_error is not None:
        print(f"next: open {diagnosis.page}, run its first commands, then what it says applies")
        return 3
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
