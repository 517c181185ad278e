"""The diagnoser names the right playbook for every captured text, the root error of a chain, and says
"unknown" for texts it does not know. Inputs are the captured corpus and texts made live here."""
from __future__ import annotations

import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from helpers import CORPUS, FOLDER, failure_text, jvm_stack_traces_in_messages

from production_playbooks import (
    CONFIDENT_SCORE,
    IncidentFormatError,
    diagnose_file,
    diagnose_lines,
    diagnose_text,
    format_diagnosis,
    load_incidents,
)
from production_playbooks.incident_format import parse_incident

DATABRICKS_ONLY = "databricks-only"  # quoted texts of Databricks-only errors: tests/test_databricks_errors.py
CORPUS_FILES = sorted(path for path in CORPUS.glob("*/*.log") if path.parent.name != DATABRICKS_ONLY)


def corpus_text(incident_id: str, name: str | None = None) -> str:
    if name is not None:
        return (CORPUS / incident_id / f"{name}.log").read_text(encoding="utf-8")
    return sorted((CORPUS / incident_id).glob("*.log"))[0].read_text(encoding="utf-8")


def python_chain(cause_message: str, wrapper_message: str) -> str:
    """What Python prints for ``raise RuntimeError(wrapper) from ValueError(cause)``, made for real."""
    try:
        try:
            raise ValueError(cause_message)
        except ValueError as cause:
            raise RuntimeError(wrapper_message) from cause
    except RuntimeError as error:
        return "".join(traceback.format_exception(error))


@pytest.mark.parametrize("log", CORPUS_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_captured_text_names_its_own_incident(log: Path):
    diagnosis = diagnose_file(log)

    assert diagnosis.incident_id == log.parent.name
    assert diagnosis.playbook == f"docs/playbooks/{log.parent.name}.md"
    assert diagnosis.score >= CONFIDENT_SCORE


def test_the_corpus_covers_every_incident():
    assert sorted(load_incidents()) == sorted(path.name for path in CORPUS.iterdir()
                                              if path.is_dir() and path.name != DATABRICKS_ONLY)


def test_the_root_cause_wins_over_the_wrapper_that_is_printed_first():
    text = corpus_text("delta-merge-incompatible-datatype")
    wrapper_line = next(i for i, line in enumerate(text.splitlines(), 1) if "[DELTA_FAILED_TO_MERGE_FIELDS]" in line)

    diagnosis = diagnose_text(text)

    assert diagnosis.incident_id == "delta-merge-incompatible-datatype"
    cause = next(item for item in diagnosis.evidence if item.role == "cause")
    assert cause.line_number > wrapper_line and "Caused by:" in cause.line


def test_a_wrapper_alone_is_unknown_but_the_error_class_is_reported():
    wrapper = next(line for line in corpus_text("delta-merge-incompatible-datatype").splitlines()
                   if line.startswith("pyspark.errors") and "[DELTA_FAILED_TO_MERGE_FIELDS]" in line)

    diagnosis = diagnose_text(wrapper)

    assert diagnosis.incident_id is None and diagnosis.playbook is None
    assert diagnosis.root_error.error_class.name == "DELTA_FAILED_TO_MERGE_FIELDS"
    assert "playbook: none" in format_diagnosis(diagnosis)


def test_the_deepest_cause_wins_when_two_incidents_are_in_one_log():
    schema_error = corpus_text("delta-mergeschema-surprise")  # its root is one "Caused by:" deep
    auth_error = corpus_text("kafka-sasl-wrong-password", "spark-kafka-source")  # root: two "Caused by:" deep

    diagnosis = diagnose_text(schema_error + auth_error)

    assert diagnosis.incident_id == "kafka-sasl-wrong-password"
    assert diagnosis.also_seen == ["delta-mergeschema-surprise"]


def test_in_a_python_chain_the_exception_printed_first_is_the_root():
    root = ("org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during "
            "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")
    wrapper = "[_LEGACY_ERROR_TEMP_DELTA_0007] A schema mismatch detected when writing to the Delta table"

    diagnosis = diagnose_text(python_chain(root, wrapper))

    assert diagnosis.incident_id == "kafka-sasl-wrong-password"
    assert diagnosis.also_seen == ["delta-mergeschema-surprise"]


def test_ansi_colours_do_not_change_the_answer():
    text = corpus_text("kafka-ssl-untrusted-certificate")
    coloured = "\n".join(f"\x1b[1;31m{line}\x1b[0m" if line else line for line in text.splitlines())

    plain, colourful = diagnose_text(text), diagnose_text(coloured)

    assert colourful.incident_id == plain.incident_id == "kafka-ssl-untrusted-certificate"
    assert [item.line for item in colourful.evidence] == [item.line for item in plain.evidence]
    assert all("\x1b" not in item.line for item in colourful.evidence)


def test_evidence_lines_carry_their_line_numbers_in_the_log():
    text = corpus_text("kafka-sasl-wrong-mechanism")
    lines = text.splitlines()

    diagnosis = diagnose_text(text)

    assert diagnosis.evidence
    for item in diagnosis.evidence:
        assert lines[item.line_number - 1].strip() == item.line


def test_a_generic_line_alone_stays_below_the_confident_score():
    diagnosis = diagnose_text("org.apache.kafka.common.errors.SslAuthenticationException: SSL handshake failed")

    assert diagnosis.incident_id is None
    assert 0 < diagnosis.score < CONFIDENT_SCORE


def test_a_spark_error_no_playbook_covers_is_unknown(spark):
    with jvm_stack_traces_in_messages(spark):
        with pytest.raises(Exception) as caught:
            spark.sql("SELECT 1 / 0 AS ratio").collect()  # ANSI mode: DIVIDE_BY_ZERO
        diagnosis = diagnose_text(failure_text(caught.value))

    assert diagnosis.incident_id is None and diagnosis.playbook is None
    assert diagnosis.root_error.error_class.name == "DIVIDE_BY_ZERO"


@pytest.mark.kafka
def test_a_healthy_broker_log_is_unknown(kafka_sasl_ssl):
    diagnosis = diagnose_file(kafka_sasl_ssl.log_file)

    assert diagnosis.lines_read > 50
    assert diagnosis.incident_id is None


def test_a_python_traceback_of_an_ordinary_bug_is_unknown():
    diagnosis = diagnose_text(python_chain("division by zero", "could not compute the OEE of line 3"))

    assert diagnosis.incident_id is None


def test_the_command_line_reads_stdin_and_exits_0_with_the_playbook():
    result = subprocess.run([sys.executable, "-m", "production_playbooks", "diagnose", "-"],
                            input=corpus_text("kafka-sasl-wrong-password", "driver-log"),
                            capture_output=True, text=True, cwd=FOLDER, check=False)

    assert result.returncode == 0
    assert "incident: kafka-sasl-wrong-password" in result.stdout
    assert "playbook: docs/playbooks/kafka-sasl-wrong-password.md" in result.stdout


def test_the_command_line_exits_1_for_an_unknown_log(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("26/12/06 07:00:00 INFO SparkContext: Running Spark version 4.0.0\n")

    result = subprocess.run([sys.executable, "-m", "production_playbooks", "diagnose", str(log)],
                            capture_output=True, text=True, check=False)

    assert result.returncode == 1
    assert result.stdout.startswith("incident: unknown")


def test_the_library_reads_any_iterable_of_lines():
    assert diagnose_lines(iter(corpus_text("kafka-ssl-hostname-mismatch").splitlines(keepends=True))).incident_id \
        == "kafka-ssl-hostname-mismatch"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Not_Kebab"}, "'id'"),
        ({"playbook": "docs/other.md"}, "'playbook'"),
        ({"signatures": [{"pattern": "x", "role": "context", "weight": 0.5}]}, "'signatures'"),
        ({"signatures": [{"pattern": "(", "role": "cause", "weight": 1}]}, "signatures[0].pattern"),
        ({"signatures": [{"pattern": "x", "role": "cause", "weight": 1.5}]}, "signatures[0].weight"),
        ({"reproduced_by": "tests/test_x.py"}, "'reproduced_by'"),
        ({"first_commands": []}, "'first_commands'"),
    ],
)
def test_a_broken_incident_file_raises_a_named_error_with_the_field(change, field):
    valid = {
        "id": "x-y", "title": "t", "playbook": "docs/playbooks/x-y.md",
        "signatures": [{"pattern": "x", "role": "cause", "weight": 1.0}],
        "first_commands": ["c"], "reproduced_by": "tests/incidents/test_x.py::test_y",
    }
    assert parse_incident(valid, "x-y.yaml").id == "x-y"

    with pytest.raises(IncidentFormatError, match="expected") as error:
        parse_incident({**valid, **change}, "x-y.yaml")

    assert field in str(error.value) and "x-y.yaml" in str(error.value)


def test_databricks_shaded_kafka_class_names_are_recognised():
    text = corpus_text("kafka-sasl-wrong-mechanism").replace("org.apache.kafka.", "kafkashaded.org.apache.kafka.")

    assert diagnose_text(text).incident_id == "kafka-sasl-wrong-mechanism"


@pytest.mark.parametrize("module", ["log_lines", "error_classes", "incident_format", "diagnoser",
                                    "databricks_errors"])
def test_the_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"production_playbooks.{module}"), optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0 and result.failed == 0
