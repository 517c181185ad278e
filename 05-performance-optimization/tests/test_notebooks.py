"""The notebooks are generated from tested code, committed without outputs, and execute cleanly."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_committed_notebooks_match_their_generator_and_have_no_outputs(tmp_path, load_script):
    for generated in load_script("notebooks/build_notebooks.py").build(tmp_path):
        committed = NOTEBOOKS / generated.name
        assert committed.read_text() == generated.read_text(), f"run notebooks/build_notebooks.py: {committed.name}"
        cells = nbformat.read(committed, as_version=4).cells
        assert all(not cell.get("outputs") for cell in cells if cell.cell_type == "code")


@pytest.mark.parametrize("name", ["spark_ui_deep_dive.ipynb", "performance_troubleshooting.ipynb"])
def test_notebook_executes_cleanly(name):
    """Run where Jupyter runs it: in notebooks/ (Spark's scratch files go to a temporary folder)."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)

    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
