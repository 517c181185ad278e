"""Databricks-only errors cannot be reproduced here: each quoted line is recognised as its entry, with its
page and what applies, never as a playbook; the entries name the vendor's page and links that exist."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from helpers import CORPUS, FOLDER, failure_text, jvm_stack_traces_in_messages

from production_playbooks import diagnose_file, diagnose_text, format_diagnosis
from production_playbooks.databricks_errors import (
    PAGE,
    DatabricksErrorFormatError,
    load_databricks_errors,
    parse_databricks_error,
)

ERRORS = load_databricks_errors()
NAMES = sorted(ERRORS)
QUOTED = CORPUS / "databricks-only"
MAX_QUOTED_LINE_CHARS = 140


def quoted_line(name: str) -> str:
    return (CORPUS / ERRORS[name].corpus_file).read_text(encoding="utf-8").strip()


def corpus_text(incident_id: str, name: str) -> str:
    return (CORPUS / incident_id / f"{name}.log").read_text(encoding="utf-8")


def test_there_is_one_quoted_line_per_entry_and_no_other():
    assert sorted(path.name for path in QUOTED.glob("*.log")) == sorted(
        ERRORS[name].corpus_file.split("/", 1)[1] for name in NAMES)
    assert len(NAMES) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_each_quoted_line_is_recognised_as_its_databricks_only_error_with_its_page(name):
    diagnosis = diagnose_file(CORPUS / ERRORS[name].corpus_file)

    assert diagnosis.known_error_name == name
    assert diagnosis.incident is None and diagnosis.playbook is None
    assert diagnosis.page == f"{PAGE}#{ERRORS[name].anchor}"
    assert f"\n## {name}\n" in (FOLDER / PAGE).read_text(encoding="utf-8")
    assert f"page: {diagnosis.page}" in format_diagnosis(diagnosis)


@pytest.mark.parametrize("name", NAMES)
def test_the_quoted_line_holds_only_the_identifier_its_sqlstate_and_a_short_fragment(name):
    error, lines = ERRORS[name], (CORPUS / ERRORS[name].corpus_file).read_text(encoding="utf-8").splitlines()

    assert len(lines) == 1 and len(lines[0]) <= MAX_QUOTED_LINE_CHARS
    assert name in lines[0]
    if error.sqlstate:
        assert lines[0].endswith(f"SQLSTATE: {error.sqlstate}")
    if error.fragment:
        assert error.fragment in lines[0]


def test_source_md_names_the_same_vendor_page_for_every_quoted_line():
    rows = dict(re.findall(r"^\| `([^`]+\.log)` \| (https://\S+) \|$", (QUOTED / "SOURCE.md").read_text(), re.M))

    assert rows == {ERRORS[name].corpus_file.split("/", 1)[1]: ERRORS[name].source for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_what_applies_is_a_playbook_runbook_or_folder_that_exists(name):
    for target in ERRORS[name].applies:
        assert (FOLDER / target).resolve().is_file(), f"{name}: applies {target}, which does not exist"


def test_a_spark_error_of_the_same_family_is_not_taken_for_the_unity_catalog_one(spark):
    # INVALID_PARAMETER_VALUE is an Apache Spark class too; only its LOCATION_OVERLAP sub-class is Unity Catalog's
    with jvm_stack_traces_in_messages(spark):
        with pytest.raises(Exception) as caught:
            spark.sql("SELECT encode('line 3', 'no-such-charset') AS payload").collect()
        text = failure_text(caught.value)

    assert "[INVALID_PARAMETER_VALUE." in text
    diagnosis = diagnose_text(text)
    assert diagnosis.incident_id is None and diagnosis.known_error is None


def test_prose_that_mentions_the_words_stays_unknown():
    diagnosis = diagnose_text("26/12/06 07:00:00 ERROR Operator: insufficient permissions on the line 3 share; "
                              "library installation error reported by the MES, not by Databricks")

    assert diagnosis.incident_id is None and diagnosis.known_error is None


def test_a_deeper_captured_incident_wins_over_a_databricks_only_line_printed_first():
    text = quoted_line("EXPECTATION_VIOLATION") + "\n" + corpus_text("kafka-sasl-wrong-password", "spark-kafka-source")

    diagnosis = diagnose_text(text)

    assert diagnosis.incident_id == "kafka-sasl-wrong-password"
    assert diagnosis.known_error is None
    assert "EXPECTATION_VIOLATION (Databricks-only)" in diagnosis.also_seen


def test_a_databricks_only_cause_deeper_than_a_wrapper_incident_is_the_answer():
    wrapper = corpus_text("delta-mergeschema-surprise", "downstream-stream-fails").rstrip("\n")
    text = wrapper + "\nCaused by: " + quoted_line("INSUFFICIENT_PERMISSIONS") + "\n"

    diagnosis = diagnose_text(text)

    assert diagnosis.known_error_name == "INSUFFICIENT_PERMISSIONS"
    assert diagnosis.incident is None and diagnosis.playbook is None
    assert "delta-mergeschema-surprise" in diagnosis.also_seen


def test_the_command_line_exits_3_and_prints_the_page_and_what_applies():
    result = subprocess.run([sys.executable, "-m", "production_playbooks", "diagnose", "-"],
                            input=quoted_line("UNKNOWN_FIELD_EXCEPTION") + "\n",
                            capture_output=True, text=True, cwd=FOLDER, check=False)

    assert result.returncode == 3
    assert result.stdout.startswith("incident: none reproduced here; known Databricks-only error "
                                    "UNKNOWN_FIELD_EXCEPTION (SQLSTATE KD003)")
    assert "playbook: none" in result.stdout
    assert f"page: {PAGE}#unknown_field_exception" in result.stdout
    assert "applies: docs/runbooks/pipeline-restart.md" in result.stdout


VALID = {
    "name": "SOME_ERROR", "kind": "error class", "sqlstate": "42501", "fragment": "short text",
    "source": "https://docs.databricks.com/error-messages/index.html", "meaning": "m", "plant_cause": "c",
    "first_commands": ["SHOW GRANTS ON TABLE t"], "applies": ["docs/runbooks/deployment-checklist.md"],
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "lower_case"}, "'name'"),
        ({"kind": "warning"}, "'kind'"),
        ({"sqlstate": "425"}, "'sqlstate'"),
        ({"fragment": "x" * 61}, "'fragment'"),
        ({"source": "https://example.com/copied-page"}, "'source'"),
        ({"meaning": ""}, "'meaning'"),
        ({"first_commands": []}, "'first_commands'"),
    ],
)
def test_a_broken_entry_raises_a_named_error_with_the_field(change, field):
    assert parse_databricks_error(VALID, "entry 1").name == "SOME_ERROR"

    with pytest.raises(DatabricksErrorFormatError, match="expected") as error:
        parse_databricks_error({**VALID, **change}, "entry 1")

    assert field in str(error.value) and "entry 1" in str(error.value)


def test_the_readme_shows_the_real_answer_for_a_databricks_only_error():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    shown = readme.split("corpus/databricks-only/insufficient-permissions.log", 1)[1].split("```text\n", 1)[1]
    shown = shown.split("```", 1)[0].splitlines()

    answer = format_diagnosis(diagnose_file(CORPUS / ERRORS["INSUFFICIENT_PERMISSIONS"].corpus_file))

    assert shown == [line for line in answer.splitlines() if re.match(r"^(incident|playbook|page|applies):", line)]
