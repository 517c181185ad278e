"""`make docs` renders Measured tables from results JSON; `make lint` fails when one was edited by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_tools.measured_docs import MeasuredBlockError, format_value, main, rendered_text

RESULTS = {
    "benchmark": "flatten_benchmark",
    "measured_at": "2026-01-01T00:00:00+00:00",
    "machine": {"cores": 2, "memory_gib": 7.6, "cpu": "Intel Xeon", "os": "Linux", "python": "3.11"},
    "summary": {"rows": 2000000, "progressive_median_s": 21.8391, "naive_median_s": 47.93, "speedup": 2.1947},
    "rows": [],
}
BLOCK = """\
# Folder

## Measured

<!-- measured: benchmarks/results/flatten_benchmark.json
rows | rows flattened
progressive_median_s | progressive flattening, end to end, median (s)
-->
(table rendered here by `make docs`)
<!-- /measured -->

After the table.
"""
RENDERED_BODY = """
| figure | value |
|---|---|
| rows flattened | 2,000,000 |
| progressive flattening, end to end, median (s) | 21.8 |

Measured on 2 cores, 7.6 GiB, Intel Xeon; figures from \
[benchmarks/results/flatten_benchmark.json](benchmarks/results/flatten_benchmark.json).
"""


def seeded_folder(root: Path, readme: str = BLOCK, results: dict | None = None) -> Path:
    (root / "benchmarks" / "results").mkdir(parents=True)
    (root / "benchmarks" / "results" / "flatten_benchmark.json").write_text(json.dumps(results or RESULTS))
    (root / "README.md").write_text(readme)
    return root / "README.md"


def test_write_renders_the_table_and_the_machine_line_between_the_markers(tmp_path):
    readme = seeded_folder(tmp_path)

    assert main(["--write", str(readme)]) == 0

    text = readme.read_text()
    assert "(table rendered here" not in text
    opening, rest = text.split("-->", 1)
    assert rest.split("<!-- /measured -->")[0] == RENDERED_BODY
    assert text.endswith("<!-- /measured -->\n\nAfter the table.\n")
    assert main(["--check", str(readme)]) == 0


def test_check_fails_on_a_table_edited_by_hand(tmp_path, capsys):
    readme = seeded_folder(tmp_path)
    main(["--write", str(readme)])
    readme.write_text(readme.read_text().replace("| 21.8 |", "| 12.0 |"))

    assert main(["--check", str(tmp_path)]) == 1

    assert "differs from what its JSON renders; run `make docs`" in capsys.readouterr().out


def test_check_fails_when_the_json_was_re_measured_but_not_rendered(tmp_path):
    readme = seeded_folder(tmp_path)
    main(["--write", str(readme)])
    newer = RESULTS | {"summary": RESULTS["summary"] | {"progressive_median_s": 19.0}}
    (tmp_path / "benchmarks" / "results" / "flatten_benchmark.json").write_text(json.dumps(newer))

    assert main(["--check", str(readme)]) == 1


def test_a_key_missing_from_the_summary_names_the_file_the_key_and_the_keys_present(tmp_path):
    readme = seeded_folder(tmp_path, BLOCK.replace("rows | rows flattened", "row_count | rows"))

    with pytest.raises(MeasuredBlockError) as error:
        rendered_text(readme)

    message = str(error.value)
    assert "benchmarks/results/flatten_benchmark.json" in message and "'row_count'" in message
    assert "naive_median_s, progressive_median_s, rows, speedup" in message


def test_a_missing_json_is_a_named_error_and_check_fails(tmp_path, capsys):
    readme = seeded_folder(tmp_path, BLOCK.replace("flatten_benchmark.json", "gone.json"))

    assert main(["--check", str(readme)]) == 1

    assert "expected results JSON benchmarks/results/gone.json, found no such file" in capsys.readouterr().out


def test_the_columns_form_shows_several_figures_per_row(tmp_path):
    readme = seeded_folder(tmp_path, """\
<!-- measured: benchmarks/results/flatten_benchmark.json
columns: path | median (s) | speedup
progressive | progressive_median_s | speedup
explode + pivot | naive_median_s | -
-->
<!-- /measured -->
""")

    table = rendered_text(readme).splitlines()

    assert table[5:9] == ["| path | median (s) | speedup |", "|---|---|---|",
                          "| progressive | 21.8 | 2.19 |", "| explode + pivot | 47.9 |  |"]


def test_a_block_inside_a_code_fence_is_an_example_and_stays_as_written(tmp_path):
    example = "```\n<!-- measured: benchmarks/results/nothing.json\nx | y\n-->\n<!-- /measured -->\n```\n"
    readme = seeded_folder(tmp_path, example)

    assert rendered_text(readme) == example


@pytest.mark.parametrize(("value", "shown"), [
    (2000000, "2,000,000"), (0.98412, "0.984"), (5.0649, "5.06"), (14.2, "14.2"), (47.93, "47.9"),
    (1234.5, "1,234"), (0.0, "0"), (0.000123456, "0.000123"), (3.0, "3"), (False, "no"), ("AMD EPYC", "AMD EPYC"),
])
def test_numbers_are_shown_to_three_significant_digits_and_large_ones_with_separators(value, shown):
    assert format_value(value) == shown


def test_write_renders_the_blocks_it_can_and_reports_the_others(tmp_path, capsys):
    readme = seeded_folder(tmp_path, BLOCK + BLOCK.replace("flatten_benchmark.json", "not_yet_measured.json"))

    assert main(["--write", str(readme)]) == 1

    text = readme.read_text()
    assert text.count("| rows flattened | 2,000,000 |") == 1
    assert text.count("(table rendered here by `make docs`)") == 1
    assert "expected results JSON benchmarks/results/not_yet_measured.json" in capsys.readouterr().out
