"""Runbook docs/runbooks/incident-response.md: from a failed run's log to the playbook and its first
commands with the diagnoser's command line, as on-call runs it (a subprocess, a file, stdin)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2]
POISON_LOG = FOLDER / "corpus" / "stream-stalled-poison-message" / "ansi-cast-in-stream.log"
PERMISSION_LINE = FOLDER / "corpus" / "databricks-only" / "insufficient-permissions.log"  # quoted, not captured


def diagnose(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "production_playbooks", "diagnose", *args], input=stdin,
                          capture_output=True, text=True, cwd=FOLDER, timeout=60, check=False)


def driver_log_around(error_text: str) -> str:
    """The captured failure inside the noise of a real driver log, with the colours a terminal adds."""
    before = "\n".join(f"26/03/01 06:0{n}:00 INFO MicroBatchExecution: Streaming query made progress"
                       for n in range(5))
    after = "26/03/01 06:06:00 INFO SparkContext: Invoked stop() from shutdown hook"
    return f"{before}\n\x1b[31m{error_text}\x1b[0m\n{after}\n"


def test_step_2_the_diagnoser_names_the_incident_its_evidence_playbook_and_first_commands(tmp_path):
    log = tmp_path / "driver.log"
    log.write_text(driver_log_around(POISON_LOG.read_text()))

    answer = diagnose([str(log)])

    assert answer.returncode == 0
    assert answer.stdout.startswith("incident: stream-stalled-poison-message ")
    assert "[cause]: Caused by: org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT]" in answer.stdout
    assert "playbook: docs/playbooks/stream-stalled-poison-message.md" in answer.stdout
    assert "ls <checkpoint>/offsets <checkpoint>/commits" in answer.stdout


def test_step_3_the_named_playbook_exists_and_has_the_fix_steps(tmp_path):
    answer = diagnose(["-"], stdin=POISON_LOG.read_text())
    playbook = answer.stdout.split("playbook: ", 1)[1].split("\n", 1)[0]

    text = (FOLDER / playbook).read_text()
    assert "## Fix" in text and "## Reproduced by" in text


def test_a_log_the_diagnoser_does_not_know_is_answered_unknown_with_no_playbook():
    answer = diagnose(["-"], stdin="26/03/01 06:00:00 ERROR PlantGateway: OPC UA session closed by server\n")

    assert answer.returncode == 1
    assert answer.stdout.startswith("incident: unknown")
    assert "playbook: none" in answer.stdout


def test_step_4_a_databricks_only_error_gets_its_reference_page_and_what_applies_not_a_playbook(tmp_path):
    log = tmp_path / "driver.log"
    log.write_text(driver_log_around(PERMISSION_LINE.read_text()))

    answer = diagnose([str(log)])

    assert answer.returncode == 3
    assert "known Databricks-only error INSUFFICIENT_PERMISSIONS (SQLSTATE 42501)" in answer.stdout
    assert "playbook: none" in answer.stdout
    page = answer.stdout.split("page: ", 1)[1].split("\n", 1)[0]
    page_file, anchor = page.split("#")
    assert f"\n## {anchor.upper()}\n" in (FOLDER / page_file).read_text()
    applies = answer.stdout.split("applies: ", 1)[1].split("\n", 1)[0].split(", ")
    assert all((FOLDER / target).is_file() for target in applies)
