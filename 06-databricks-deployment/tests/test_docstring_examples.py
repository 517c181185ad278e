"""The `>>>` examples in the package's docstrings are true."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["findings", "structure", "interpolation", "task_order", "grants", "configuration.settings"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"databricks_bundle_deployment.{name}")

    failed, attempted = doctest.testmod(module, verbose=False)

    assert attempted > 0 and failed == 0
