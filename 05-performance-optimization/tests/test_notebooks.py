"""The notebooks are generated from tested code, committed without outputs, and execute cleanly."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def load_builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOKS / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_notebooks_match_their_generator_and_have_no_outputs(tmp_path):
    for generated in load_builder().build(tmp_path):
        committed = NOTEBOOKS / generated.name
        assert committed.read_text() == generated.read_text(), f"run notebooks/build_notebooks.py: {committed.name}"
        cells = nbformat.read(committed, as_version=4).cells
        assert all(not cell.get("outputs") for cell in cells if cell.cell_type == "code")


@pytest.mark.parametrize("name", ["spark_ui_deep_dive.ipynb", "performance_troubleshooting.ipynb"])
def test_notebook_executes_cleanly(name, tmp_path):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)

    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
