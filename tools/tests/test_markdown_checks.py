"""`make lint` reads the Markdown as a reader on GitHub does: no machine paths, no work-plan words,
no broken relative links, and folder READMEs in the catalog's eight-section shape."""
from __future__ import annotations

import subprocess
from pathlib import Path

from catalog_tools.markdown_checks import README_MAX_LINES, check, main

SHAPED_README = """\
# 07-example

## Problem
Something breaks.

## The one call
A table before, the call, a table after.

## Run it
```bash
make test FOLDER=07-example
```

## What's inside
Modules.

## Copy it
Copy the folder.

## On Databricks
A bundle.

## Limits
Not exercised here.

## Measured
<!-- measured: benchmarks/results/x.json
a | b
-->
<!-- /measured -->
"""


def seeded_repo(root: Path, files: dict[str, str]) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    files = {"tools/README.md": SHAPED_README, **files}
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def messages(root: Path) -> list[str]:
    return [str(finding) for finding in check(root)]


def test_a_clean_catalog_has_no_findings(tmp_path):
    seeded_repo(tmp_path, {
        "07-example/README.md": SHAPED_README + "\nSee [the guide](docs/guide.md#setup) and [home](../README.md).\n",
        "07-example/docs/guide.md": "# Guide\n![curve](../benchmarks/results/curve.png)\n",
        "07-example/benchmarks/results/curve.png": "png",
        "README.md": "# Catalog\n[07](07-example/) [web](https://example.com/tmp/x) [top](#catalog)\n",
    })

    assert messages(tmp_path) == []
    assert main(["--root", str(tmp_path)]) == 0


def test_an_absolute_machine_path_in_markdown_fails_lint(tmp_path):
    seeded_repo(tmp_path, {"docs.md": "Run it:\n\n```bash\ncd /work/main/02-schema-evolution && make test\n```\n"
                                      "Logs land in /tmp/catalog-demo-x/spark.log; mine are in /Users/me/.\n"})

    found = messages(tmp_path)

    assert [f.split(": ")[0] for f in found] == ["docs.md:4", "docs.md:6", "docs.md:6"]
    assert "absolute machine path '/work/'" in found[0]
    assert main(["--root", str(tmp_path)]) == 1


def test_databricks_workspace_folders_are_not_machine_paths(tmp_path):
    seeded_repo(tmp_path, {"bundle.md": "Prod refuses a `root_path` under `/Users/`, such as\n"
                                        "/Users/alice@example.com/.bundle or /Workspace/Users/bob@example.com.\n"})

    assert messages(tmp_path) == []


def test_a_flock_command_in_markdown_fails_lint_but_the_word_in_prose_does_not(tmp_path):
    seeded_repo(tmp_path, {
        "bench.md": "`make bench` takes a lock (flock) itself.\n\n```\nflock catalog-bench.lock make bench\n```\n",
    })

    found = messages(tmp_path)

    assert len(found) == 1 and found[0].startswith("bench.md:4: a flock command")


def test_work_plan_words_fail_lint(tmp_path):
    seeded_repo(tmp_path, {"notes.md": "Status: every bar is met.\nThe deliverables of the issue are done.\n"})

    found = messages(tmp_path)

    assert [f.split("work-plan words ")[1].split(":")[0] for f in found] == ["'bar is met'", "'deliverables'",
                                                                           "'the issue'"]


def test_a_relative_link_that_does_not_resolve_fails_lint(tmp_path):
    seeded_repo(tmp_path, {
        "README.md": "See [the ADRs](docs/adr.md#adr-1), ![plot](img/plot.png) and `[not a link](nowhere.md)`.\n"
                     '<img src="img/missing.png">\n\n[ref]: docs/gone.md\n',
        "docs/adr.md": "# ADRs\n",
    })

    found = messages(tmp_path)

    assert found == [
        "README.md:1: relative link 'img/plot.png' does not resolve (expected a file at img/plot.png, found none)",
        "README.md:2: relative link 'img/missing.png' does not resolve (expected a file at img/missing.png, "
        "found none)",
        "README.md:4: relative link 'docs/gone.md' does not resolve (expected a file at docs/gone.md, found none)",
    ]


def test_a_folder_readme_with_sections_out_of_order_fails_lint(tmp_path):
    swapped = SHAPED_README.replace("## Copy it", "## TEMP").replace("## What's inside", "## Copy it").replace(
        "## TEMP", "## What's inside")
    seeded_repo(tmp_path, {"07-example/README.md": swapped})

    found = messages(tmp_path)

    assert len(found) == 1
    assert found[0].startswith("07-example/README.md:1: README lacks a section like '## Copy it' after 'what's inside'")


def test_a_folder_readme_missing_a_section_or_too_long_fails_lint(tmp_path):
    seeded_repo(tmp_path, {
        "07-example/README.md": SHAPED_README.replace("## Limits", "## Caveats"),
        "08-example/README.md": SHAPED_README + "line\n" * README_MAX_LINES,
    })

    found = messages(tmp_path)

    assert "07-example/README.md:1: README lacks a section like '## Limits' after 'on databricks'" in found[0]
    assert found[1].startswith(f"08-example/README.md:{SHAPED_README.count(chr(10)) + README_MAX_LINES}: README has")


def test_tools_without_a_readme_fails_lint(tmp_path):
    seeded_repo(tmp_path, {})
    (tmp_path / "tools" / "README.md").unlink()

    assert messages(tmp_path) == ["tools/README.md:0: missing: tools needs a README like every folder"]


def test_contributing_architecture_and_tools_docs_read_clean():
    repo = Path(__file__).resolve().parents[2]
    owned = ("CONTRIBUTING.md", "ARCHITECTURE.md", "tools/")  # the root README links every folder: make lint

    assert [f for f in messages(repo) if f.startswith(owned)] == []
