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


def test_the_example_points_a_databricks_only_error_at_its_reference_entry(load_script, capsys):
    example = load_script("examples/diagnose_a_log.py")

    assert example.main([str(CORPUS / "databricks-only" / "unknown-field-exception.log")]) == 3
    assert "next: open docs/error-reference/databricks.md#unknown_field_exception" in capsys.readouterr().out


def test_the_collector_leaves_the_quoted_databricks_only_texts_to_their_own_page():
    from production_playbooks.error_reference import collect_corpus_errors

    classes, _, _ = collect_corpus_errors(CORPUS)

    assert not {"INSUFFICIENT_PERMISSIONS", "EXPECTATION_VIOLATION"} & set(classes)
    assert "[INSUFFICIENT_PERMISSIONS](databricks.md#insufficient_permissions)" in (REFERENCE / "README.md").read_text()


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


def test_the_collector_files_each_error_under_its_source(tmp_path):
    from production_playbooks.error_reference import collect_corpus_errors

    incident = tmp_path / "some-incident"
    incident.mkdir()
    # lines copied from this folder's corpus, one per kind of error
    lines = [
        next(line for path in CORPUS.glob("*/*.log") for line in path.read_text().splitlines()
             if marker in line)
        for marker in ("[DELTA_MERGE_INCOMPATIBLE_DATATYPE]", "SaslAuthenticationException: Authentication failed",
                       "java.lang.OutOfMemoryError")
    ]
    (incident / "captured.log").write_text("\n".join(lines) + "\n")

    classes, kafka_or_tls, jvm = collect_corpus_errors(tmp_path)

    assert sorted(classes) == ["DELTA_MERGE_INCOMPATIBLE_DATATYPE"]
    assert sorted(kafka_or_tls) == ["org.apache.kafka.common.errors.SaslAuthenticationException"]
    assert sorted(jvm) == ["java.lang.OutOfMemoryError"]
    assert classes["DELTA_MERGE_INCOMPATIBLE_DATATYPE"].incidents == {"some-incident"}
