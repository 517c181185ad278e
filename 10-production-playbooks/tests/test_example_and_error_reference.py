"""The example runs on a captured log, and the committed error reference equals a fresh build."""
from __future__ import annotations

from helpers import CORPUS, FOLDER

from catalog_tools.jars import jar_files
from production_playbooks import load_incidents
from production_playbooks.error_catalogs import DELTA_JAR, SPARK_JAR, find_jar, jar_dirs, read_error_catalog
from production_playbooks.error_reference import build_error_reference

REFERENCE = FOLDER / "docs" / "error-reference"


def test_the_example_names_the_playbook_for_the_captured_log(load_script, capsys):
    example = load_script("examples/diagnose_a_log.py")

    assert example.main([]) == 0
    output = capsys.readouterr().out
    assert "incident: kafka-sasl-wrong-password" in output
    assert "playbook: docs/playbooks/kafka-sasl-wrong-password.md" in output


def test_the_committed_error_reference_equals_a_fresh_build():
    folders = jar_dirs([jar_files("spark")[0].parent])
    pages = build_error_reference(CORPUS, load_incidents(), read_error_catalog(find_jar(SPARK_JAR, folders)),
                                  read_error_catalog(find_jar(DELTA_JAR, folders)))

    assert sorted(pages) == sorted(path.name for path in REFERENCE.glob("*.md"))
    for name, text in pages.items():
        assert (REFERENCE / name).read_text(encoding="utf-8") == text, (
            f"docs/error-reference/{name} is stale: run `python -m production_playbooks errors build`")


def test_the_error_reference_takes_templates_and_sqlstates_from_the_shipped_catalogs():
    folders = jar_dirs([jar_files("spark")[0].parent])
    delta = read_error_catalog(find_jar(DELTA_JAR, folders))
    spark = read_error_catalog(find_jar(SPARK_JAR, folders))

    assert delta["DELTA_MERGE_INCOMPATIBLE_DATATYPE"]["sqlState"] in (REFERENCE / "delta.md").read_text()
    assert spark["STREAM_FAILED"]["sqlState"] == "XXKST"
