"""The ``load_script`` fixture imports a folder's script by its path relative to the folder."""
from pathlib import Path

import pytest

from catalog_tools.scripts import ScriptNotFoundError, load_script_from


def test_a_script_is_imported_with_its_functions_and_dataclasses(tmp_path: Path) -> None:
    script = tmp_path / "tiny_benchmark.py"
    script.write_text(
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class Run:\n"
        "    seconds: float\n"
        "def main() -> Run:\n"
        "    return Run(seconds=1.5)\n"
    )

    module = load_script_from(script)

    assert module.main() == module.Run(seconds=1.5)


def test_a_missing_script_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ScriptNotFoundError, match="missing.py"):
        load_script_from(tmp_path / "missing.py")


def test_the_fixture_resolves_paths_against_the_folder_under_test(load_script) -> None:
    module = load_script("src/catalog_tools/scripts.py")

    assert module.load_script_from.__name__ == "load_script_from"
