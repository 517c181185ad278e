"""Check the catalog's Markdown the way a reader on GitHub meets it.

* no absolute machine path (``/work/``, ``/tmp/``, ``/home/``, ``/root/``, ``/Users/``) and no
  ``flock`` command: readers have neither the machine nor the lock (``make bench`` takes it);
* no work-plan words ("the issue", "deliverable", "bar met"...): readers never saw the plan;
* every relative link and image resolves to a file in the repository (anchors are not checked);
* every folder README (``NN-topic/`` and ``tools/``) has the eight sections in order (Problem, The
  one call, Run it, What's inside, Copy it, On Databricks, Limits, Measured) and stays short.

Example::

    python -m catalog_tools.markdown_checks --root .
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

# /Users/<name> is a macOS home; /Users/ alone or /Users/<email>/ is a Databricks workspace folder
MACHINE_PATH = re.compile(r"(?<![\w.~/:$-])(?:/(?:work|tmp|home|root)/|/Users/(?![^\s/`'\")]*@)(?=[\w.-]))")
FLOCK_COMMAND = re.compile(r"(?:^|[`$;&|(]|\bsudo)[ \t]*flock[ \t]+\S", re.M)
PLAN_WORDS = re.compile(r"\b(the issue|this issue|deliverables?|bars? (?:is |are )?(?:met|not met))\b", re.I)
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^[ \t]*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HTML_LINK = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
HEADING = re.compile(r"^#{2,3}\s+(.*)$", re.M)
FOLDER_README = re.compile(r"^(\d\d-[a-z0-9-]+|tools)/README\.md$")
# Each section matched by keywords in its heading, in this order.
README_SECTIONS = (
    ("Problem", ("problem",)),
    ("The one call", ("one call", "the call", "quick start", "in one call")),
    ("Run it", ("run",)),
    ("What's inside", ("inside", "layout", "modules", "where the code")),
    ("Copy it", ("copy",)),
    ("On Databricks", ("databricks",)),
    ("Limits", ("limit", "boundar", "not covered")),
    ("Measured", ("measured", "benchmark", "figures")),
)
# About 150 lines of prose, with room for the rendered Measured table.
README_MAX_LINES = 170
SKIPPED_FOLDERS = {".venv", ".git", "node_modules", "build", "dist", "target", ".jars"}


@dataclass(frozen=True)
class Finding:
    """One rule broken, at a file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def without_code(text: str) -> str:
    """Blank out fenced blocks and inline code (keeping line numbers): links there are examples."""
    lines, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            lines.append("")
        else:
            lines.append("" if fenced else re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), line))
    return "\n".join(lines)


def machine_path_findings(path: str, text: str) -> list[Finding]:
    found = [Finding(path, line_of(text, m.start()), f"absolute machine path {m.group(0)!r}: readers have "
                     "no such folder; show commands from the repo root or the folder")
             for m in MACHINE_PATH.finditer(text)]
    found += [Finding(path, line_of(text, m.start()), "a flock command: `make bench` takes the benchmark lock "
                      "itself, readers need no lock file") for m in FLOCK_COMMAND.finditer(text)]
    return found


def plan_word_findings(path: str, text: str) -> list[Finding]:
    return [Finding(path, line_of(text, m.start()), f"work-plan words {m.group(0)!r}: readers never saw the "
                    "plan; say what the code does") for m in PLAN_WORDS.finditer(text)]


def link_targets(text: str) -> list[tuple[int, str]]:
    """(line, target) of every inline, reference and HTML link or image outside code."""
    prose = without_code(text)
    targets = []
    for pattern in (INLINE_LINK, REFERENCE_LINK, HTML_LINK):
        targets += [(line_of(prose, m.start()), m.group(1)) for m in pattern.finditer(prose)]
    return sorted(targets)


def broken_link_findings(root: Path, md_file: Path, text: str) -> list[Finding]:
    findings = []
    for line, target in link_targets(text):
        if URL_SCHEME.match(target) or target.startswith(("#", "//")):
            continue
        file_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not file_part:
            continue
        resolved = root / file_part.lstrip("/") if file_part.startswith("/") else md_file.parent / file_part
        if not resolved.exists():
            findings.append(Finding(str(md_file.relative_to(root)), line,
                                    f"relative link {target!r} does not resolve (expected a file at "
                                    f"{os.path.relpath(resolved, root)}, found none)"))
    return findings


def readme_shape_findings(path: str, text: str) -> list[Finding]:
    """The eight sections in order (matched by heading keywords) and at most README_MAX_LINES lines."""
    headings = [(line_of(text, m.start()), m.group(1).lower()) for m in HEADING.finditer(without_code(text))]
    findings, position = [], -1
    for name, keywords in README_SECTIONS:
        later = [i for i, (_, heading) in enumerate(headings) if i > position and any(k in heading for k in keywords)]
        if not later:
            after = f"after '{headings[position][1]}'" if position >= 0 else "first"
            findings.append(Finding(path, 1, f"README lacks a section like '## {name}' {after}; expected the "
                                    "sections " + " -> ".join(n for n, _ in README_SECTIONS)))
            break
        position = later[0]
    lines = text.count("\n")
    if lines > README_MAX_LINES:
        findings.append(Finding(path, lines, f"README has {lines} lines, expected at most {README_MAX_LINES} "
                                "(about 150 plus the Measured table)"))
    return findings


def markdown_paths(root: Path) -> list[str]:
    """Markdown files git would commit (tracked or not ignored), relative to ``root``."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*.md"],
                            cwd=root, capture_output=True, text=True, check=False)
    if listed.returncode == 0:
        return sorted(p for p in set(listed.stdout.splitlines()) if (root / p).is_file())
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".") and d not in SKIPPED_FOLDERS]
        found += [os.path.relpath(Path(directory) / f, root) for f in files if f.endswith(".md")]
    return sorted(found)


def check(root: Path) -> list[Finding]:
    """Return every finding in the Markdown under ``root``; an empty list means it reads clean."""
    findings: list[Finding] = []
    if (root / "tools").is_dir() and not (root / "tools" / "README.md").is_file():
        findings.append(Finding("tools/README.md", 0, "missing: tools needs a README like every folder"))
    for relative in markdown_paths(root):
        text = (root / relative).read_text(errors="replace")
        findings += machine_path_findings(relative, text)
        findings += plan_word_findings(relative, text)
        findings += broken_link_findings(root, root / relative, text)
        if FOLDER_README.match(relative):
            findings += readme_shape_findings(relative, text)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    root = args.root.resolve()
    findings = check(root)
    for finding in findings:
        print(finding)
    print(f"markdown checks: {len(findings)} finding(s) in {len(markdown_paths(root))} Markdown file(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
