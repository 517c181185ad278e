"""Every playbook quotes a symptom that was captured, links a test that exists, and every incident's
``reproduced_by`` names a real test: the check that keeps playbooks from drifting away from the runs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import CORPUS, FOLDER, PLAYBOOKS, fenced_blocks, playbook_sections

from production_playbooks import load_incidents

SECTIONS = ["Symptom", "How to confirm", "Root cause", "Fix", "Prevention", "Reproduced by"]
INCIDENTS = load_incidents()
INCIDENT_IDS = sorted(INCIDENTS)


def test_functions(test_file: Path) -> set[str]:
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


test_functions.__test__ = False  # a helper, not a test


def corpus_lines(incident_id: str) -> set[str]:
    return {line.rstrip() for path in (CORPUS / incident_id).glob("*.log")
            for line in path.read_text(encoding="utf-8").splitlines()}


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_the_incident_names_a_test_that_exists(incident_id):
    incident = INCIDENTS[incident_id]
    test_file = FOLDER / incident.test_file

    assert test_file.is_file(), f"{incident_id}: reproduced_by names {incident.test_file}, which does not exist"
    assert incident.test_name in test_functions(test_file), (
        f"{incident_id}: expected a test {incident.test_name} in {incident.test_file}")


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_the_playbook_has_the_fixed_shape(incident_id):
    playbook = FOLDER / INCIDENTS[incident_id].playbook

    assert playbook.is_file(), f"expected {INCIDENTS[incident_id].playbook}"
    assert list(playbook_sections(playbook)) == SECTIONS


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_the_quoted_symptom_is_in_the_captured_corpus(incident_id):
    symptom = playbook_sections(PLAYBOOKS / f"{incident_id}.md")["Symptom"]
    quoted = [line.rstrip() for block in fenced_blocks(symptom) for line in block.splitlines() if line.strip()]
    captured = corpus_lines(incident_id)

    assert quoted, f"{incident_id}: the Symptom section quotes no text"
    missing = [line for line in quoted if line not in captured]
    assert not missing, f"{incident_id}: quoted lines not in corpus/{incident_id}/*.log: {missing}"


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_the_playbook_links_the_reproducing_test(incident_id):
    incident = INCIDENTS[incident_id]
    section = playbook_sections(FOLDER / incident.playbook)["Reproduced by"]
    links = re.findall(r"\]\(([^)]+)\)", section)

    assert links, f"{incident_id}: the Reproduced by section links no test"
    for link in links:
        target = (PLAYBOOKS / link.split("#", 1)[0]).resolve()
        assert target.is_file(), f"{incident_id}: the playbook links {link}, which does not exist"
        assert target == (FOLDER / incident.test_file).resolve()
    assert f"`{incident.test_name}`" in section
