"""Import a runnable script (an example or a benchmark) as a module, so tests can call its functions.

Scripts under ``examples/`` and ``benchmarks/`` are not packages; tests load them by path. The
``load_script`` fixture in :mod:`catalog_tools.pytest_plugin` resolves paths against the folder
under test.

Example::

    module = load_script_from(Path("benchmarks/flatten_benchmark.py"))
    module.main(["--rows", "1000"])
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


class ScriptNotFoundError(FileNotFoundError):
    """Raised when a script path does not name an existing ``.py`` file."""


def load_script_from(path: Path) -> ModuleType:
    """Import the Python file at ``path`` as a module named after its stem.

    The module is registered in ``sys.modules`` while it executes, so dataclasses and pickling
    inside the script work as they do when it runs as ``python path``.
    """
    if path.suffix != ".py" or not path.is_file():
        raise ScriptNotFoundError(f"expected an existing .py script, got {path}")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ScriptNotFoundError(f"expected an importable .py script, got {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(path.stem, None)
        raise
    return module
