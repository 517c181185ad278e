"""Render the Measured tables of the catalog's Markdown from benchmark results, or check them.

A Measured block sits between two markers. The opening comment names a results JSON (relative to
the Markdown file) and, one per line, the ``summary`` figures to show as ``summary_key | label``::

    <!-- measured: benchmarks/results/flatten_benchmark.json
    progressive_median_s | progressive flattening, end to end, median (s)
    naive_median_s | explode + pivot, end to end, median (s)
    -->
    (rendered here)
    <!-- /measured -->

The body becomes a two-column table (figure | value) and one line naming the machine (cores,
memory, CPU) with a link to the JSON. A block may instead show several columns: a first spec line
``columns: figure | median | worst`` makes every following line ``label | key | key``, one key per
value column (``-`` leaves a cell empty).

``--write`` rewrites the blocks; ``--check`` exits 1 when a block differs from what its JSON
renders (a table edited by hand, or a JSON re-measured without ``make docs``). Arguments are
Markdown files or folders (searched for ``*.md``, skipping hidden and generated folders).

Example::

    python -m catalog_tools.measured_docs --write README.md 02-schema-evolution/README.md
    python -m catalog_tools.measured_docs --check .
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BLOCK = re.compile(
    r"(?P<open><!--\s*measured:\s*(?P<json>[^\s]+)[ \t]*\n(?P<spec>.*?)-->)"
    r"(?P<body>.*?)(?P<close><!--\s*/measured\s*-->)",
    re.S,
)
SKIPPED_FOLDERS = {".venv", ".git", "node_modules", "build", "dist", "target", ".jars"}


class MeasuredBlockError(ValueError):
    """A Measured block cannot be rendered: bad spec, missing JSON, or a figure its summary lacks."""


@dataclass(frozen=True)
class BlockSpec:
    """What one block shows: the JSON it reads, the column headers, and per row a label and keys."""

    json_path: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


def split_cells(line: str) -> list[str]:
    """Split ``a | b | c`` on unescaped pipes and strip each cell."""
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)]


def parse_spec(json_path: str, spec_text: str, where: str) -> BlockSpec:
    """Parse the lines of a block's opening comment into a :class:`BlockSpec`."""
    lines = [line.strip() for line in spec_text.splitlines() if line.strip()]
    headers: tuple[str, ...] = ("figure", "value")
    if lines and lines[0].lower().startswith("columns:"):
        headers = tuple(split_cells(lines.pop(0).split(":", 1)[1]))
        if len(headers) < 2:
            raise MeasuredBlockError(f"{where}: expected 'columns: label | column...' with 2+ columns, got {headers}")
    rows = []
    for line in lines:
        cells = split_cells(line)
        if len(headers) == 2:
            if len(cells) != 2 or not all(cells):
                raise MeasuredBlockError(f"{where}: expected 'summary_key | label', got {line!r}")
            rows.append((cells[1], (cells[0],)))
        else:
            if len(cells) != len(headers) or not cells[0]:
                raise MeasuredBlockError(
                    f"{where}: expected 'label | key' with {len(headers) - 1} key(s) for columns "
                    f"{list(headers)}, got {line!r}")
            rows.append((cells[0], tuple(cells[1:])))
    if not rows:
        raise MeasuredBlockError(f"{where}: expected at least one 'summary_key | label' line, got none")
    return BlockSpec(json_path, headers, tuple(rows))


def format_value(value: Any) -> str:
    """Format one figure: ints with thousands separators, floats to 3 significant digits.

    Example::

        >>> [format_value(v) for v in (2000000, 0.98412, 5.0649, 14.2, 1234.5, True)]
        ['2,000,000', '0.984', '5.06', '14.2', '1,234', 'yes']
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == 0:
            return "0"
        if abs(value) >= 1000:
            return f"{round(value):,}"
        digits = max(0, 2 - math.floor(math.log10(abs(value))))
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if value is None:
        return "not measured"
    return str(value).replace("|", "\\|")


def machine_line(machine: dict[str, Any], link: str) -> str:
    """The line under the table: where the figures were measured, and the JSON they come from."""
    parts = []
    if machine.get("cores") is not None:
        parts.append(f"{machine['cores']} cores")
    if machine.get("memory_gib") is not None:
        parts.append(f"{machine['memory_gib']} GiB")
    if machine.get("cpu"):
        parts.append(str(machine["cpu"]))
    where = ", ".join(parts) if parts else "a machine the JSON does not describe"
    return f"Measured on {where}; figures from [{link}]({link})."


def render_block(spec: BlockSpec, markdown_file: Path) -> str:
    """Render a block's body (table and machine line) from its JSON, relative to ``markdown_file``."""
    json_file = markdown_file.parent / spec.json_path
    if not json_file.is_file():
        raise MeasuredBlockError(f"{markdown_file}: expected results JSON {spec.json_path}, found no such file")
    try:
        document = json.loads(json_file.read_text())
    except json.JSONDecodeError as error:
        raise MeasuredBlockError(f"{markdown_file}: expected valid JSON in {spec.json_path}, got: {error}") from None
    summary = document.get("summary")
    if not isinstance(summary, dict):
        raise MeasuredBlockError(f"{markdown_file}: expected a 'summary' object in {spec.json_path}, found none")
    lines = ["| " + " | ".join(spec.headers) + " |", "|" + "---|" * len(spec.headers)]
    for label, keys in spec.rows:
        cells = []
        for key in keys:
            if key == "-":
                cells.append("")
                continue
            if key not in summary:
                raise MeasuredBlockError(
                    f"{markdown_file}: {spec.json_path} has no summary figure {key!r}; "
                    f"summary keys present: {', '.join(sorted(summary))}")
            cells.append(format_value(summary[key]))
        lines.append("| " + " | ".join([label.replace("|", "\\|"), *cells]) + " |")
    machine = document.get("machine") if isinstance(document.get("machine"), dict) else {}
    return "\n" + "\n".join(lines) + "\n\n" + machine_line(machine, spec.json_path) + "\n"


def fenced_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks (a block shown as an example is not rendered)."""
    ranges, start, offset = [], None, 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(("```", "~~~")):
            if start is None:
                start = offset
            else:
                ranges.append((start, offset + len(line)))
                start = None
        offset += len(line)
    return ranges


def measured_blocks(text: str) -> list[re.Match[str]]:
    """The Measured blocks of a Markdown text, outside fenced code blocks."""
    fences = fenced_ranges(text)
    return [m for m in BLOCK.finditer(text) if not any(a <= m.start() < b for a, b in fences)]


def rendered_text(markdown_file: Path, text: str | None = None, errors: list[str] | None = None) -> str:
    """Return the file's text with every Measured block's body rendered from its JSON.

    Raises MeasuredBlockError on the first block that cannot be rendered; with an ``errors`` list,
    appends each error to it instead and leaves that block as it was.
    """
    text = markdown_file.read_text() if text is None else text
    pieces, last = [], 0
    for match in measured_blocks(text):
        line = text.count("\n", 0, match.start()) + 1
        try:
            spec = parse_spec(match["json"], match["spec"], f"{markdown_file}:{line}")
            body = render_block(spec, markdown_file)
        except MeasuredBlockError as error:
            if errors is None:
                raise
            errors.append(str(error))
            body = match["body"]
        pieces += [text[last:match.start()], match["open"], body, match["close"]]
        last = match.end()
    return "".join(pieces) + text[last:]


def markdown_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the Markdown files under them (hidden and generated folders skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        for directory, subdirs, files in os.walk(path):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
            found += [Path(directory) / f for f in sorted(files) if f.endswith(".md")]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", nargs="+", type=Path, metavar="FILE", help="rewrite the blocks in place")
    mode.add_argument("--check", nargs="+", type=Path, metavar="FILE", help="exit 1 if a block is stale")
    args = parser.parse_args(argv)
    problems, changed, blocks = [], [], 0
    for md in markdown_files(args.write or args.check):
        text = md.read_text()
        found = measured_blocks(text)
        if not found:
            continue
        blocks += len(found)
        errors: list[str] = []
        new = rendered_text(md, text, errors)
        problems += errors
        if new != text:
            changed.append(md)
            if args.write:
                md.write_text(new)
    for problem in problems:
        print(problem)
    if args.check:
        for md in changed:
            print(f"{md}: a Measured table differs from what its JSON renders; run `make docs`")
        print(f"measured docs: {blocks} block(s), {len(changed)} stale, {len(problems)} error(s)")
        return 1 if changed or problems else 0
    print(f"measured docs: {blocks} block(s), {len(changed)} file(s) rewritten, {len(problems)} error(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
