"""Helpers shared by the incident tests: capture a failure's text, normalise it, keep the corpus honest.

``failure_text(exc)`` turns a pyspark exception into what a job's output shows (the Python
exception line, its message and the JVM stack trace). ``capture_incident_log(id, name, text)``
writes ``corpus/<id>/<name>.log`` when ``CAPTURE_CORPUS=1`` and otherwise asserts that the
committed file still equals this run's normalised text. Playbook parsing helpers live here too.
"""
from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1]
CORPUS = FOLDER / "corpus"
PLAYBOOKS = FOLDER / "docs" / "playbooks"
CAPTURE_ENV = "CAPTURE_CORPUS"
FRAMES_KEPT_PER_EXCEPTION = 2

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
VOLATILE = [
    (re.compile(r"(?:file:)?/(?:private/)?tmp/pytest-of-[^/\s]+/pytest-\d+/[^/\s]+"), "<tmp>"),
    (re.compile(r"(localhost|127\.0\.0\.1)(/127\.0\.0\.1)?:\d{2,5}"), r"\1\2:<port>"),
    (re.compile(r"\bo\d+\.(\w+)"), r"o<n>.\1"),
    (re.compile(r"adminclient-\d+"), "adminclient-<n>"),
    (re.compile(r"#\d+L?\b"), "#<n>"),
    (re.compile(r"\((\w[\w$]*\.(?:java|scala)):\d+\)"), r"(\1)"),
    (re.compile(r"\b\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\b"), "<time>"),
]


@contextmanager
def jvm_stack_traces_in_messages(spark) -> Iterator[None]:
    """Make pyspark exceptions carry their JVM stack trace, as a job run's output shows it.

    pyspark renders the trace when ``str(error)`` runs, so call :func:`failure_text` inside the block.
    """
    key = "spark.sql.pyspark.jvmStacktrace.enabled"
    before = spark.conf.get(key, "false")
    spark.conf.set(key, "true")
    try:
        yield
    finally:
        spark.conf.set(key, before)


@contextmanager
def spark_driver_log(spark, log_file: Path) -> Iterator[Path]:
    """Copy the driver's log4j records (WARN and above, as the session logs them) into ``log_file``.

    A log4j2 file appender is added to the running JVM's root logger for the block and removed after,
    so a test captures the driver log an on-call engineer would read, not only the exception.
    """
    jvm = spark._jvm
    context = jvm.org.apache.logging.log4j.LogManager.getContext(False)
    config = context.getConfiguration()
    layout = (jvm.org.apache.logging.log4j.core.layout.PatternLayout.newBuilder()
              .withPattern("%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex").build())
    name = f"incident-capture-{log_file.name}"
    appender = (jvm.org.apache.logging.log4j.core.appender.FileAppender.newBuilder()
                .withFileName(str(log_file)).setName(name).setLayout(layout).build())
    appender.start()
    config.addAppender(appender)
    config.getRootLogger().addAppender(appender, None, None)
    context.updateLoggers()
    try:
        yield log_file
    finally:
        config.getRootLogger().removeAppender(name)
        context.updateLoggers()
        appender.stop()


def distinct_log_records(text: str) -> str:
    """Keep the first of identical log records (a ``<time>`` line and the lines under it).

    Clients retry: how many times a record repeats depends on timing, which records appear does not.
    """
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith("<time>") or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    kept = list(dict.fromkeys(records))
    return "\n".join(kept) + "\n"


def failure_text(error: BaseException) -> str:
    """The text a job run prints for ``error``: the Python exception line and its message."""
    kind = type(error)
    return f"Traceback (most recent call last):\n{kind.__module__}.{kind.__qualname__}: {error}\n"


def _without_streaming_query_dump(lines: list[str]) -> list[str]:
    # StreamingQueryException appends offsets, state and the logical plan: long and volatile
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("=== Streaming Query ==="):
            skipping = True
        elif skipping and line.startswith("JVM stacktrace:"):
            skipping = False
            kept.append("")
        elif skipping and line.startswith(("\tat ", "Caused by:")):
            skipping = False  # the dump ends where the JVM exception's frames and causes begin
        if not skipping:
            kept.append(line)
    return kept


def _trimmed_frames(lines: list[str]) -> list[str]:
    kept: list[str] = []
    frames = 0
    in_suppressed = False
    for line in lines:
        if line.startswith("\tSuppressed:"):
            in_suppressed = True
            continue
        if in_suppressed and line.startswith("\t\t"):
            continue
        in_suppressed = False
        if line.startswith("\tat "):
            frames += 1
            if frames <= FRAMES_KEPT_PER_EXCEPTION:
                kept.append(line)
            continue
        if re.match(r"^\t\.\.\. \d+ more$", line):
            continue
        frames = 0
        kept.append(line)
    return kept


def normalise(text: str, *private_paths: str | Path) -> str:
    """Replace volatile parts (paths, ids, ports, frame line numbers) and trim stack frames."""
    for path in sorted((str(p) for p in private_paths), key=len, reverse=True):
        text = text.replace(path, "<tmp>")
    text = UUID.sub("<uuid>", text)
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    lines = [line.rstrip() for line in text.splitlines()]
    lines = _trimmed_frames(_without_streaming_query_dump(lines))
    return "\n".join(lines).strip("\n") + "\n"


def corpus_file(incident_id: str, name: str) -> Path:
    return CORPUS / incident_id / f"{name}.log"


def capture_incident_log(incident_id: str, name: str, text: str, *private_paths: str | Path) -> str:
    """Write (``CAPTURE_CORPUS=1``) or check ``corpus/<id>/<name>.log``; return the normalised text."""
    normalised = normalise(text, *private_paths)
    target = corpus_file(incident_id, name)
    if os.environ.get(CAPTURE_ENV) == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(normalised, encoding="utf-8")
        return normalised
    assert target.exists(), f"expected the captured corpus file {target.relative_to(FOLDER)}; run with {CAPTURE_ENV}=1"
    committed = target.read_text(encoding="utf-8")
    if committed != normalised:
        diff = "".join(difflib.unified_diff(committed.splitlines(keepends=True), normalised.splitlines(keepends=True),
                                            "committed", "this run", n=1))
        raise AssertionError(
            f"{target.relative_to(FOLDER)} differs from this run's text; if Spark, Delta or Kafka changed "
            f"the error, re-capture with {CAPTURE_ENV}=1 and update the playbook's Symptom:\n{diff[:4000]}"
        )
    return normalised


def playbook_sections(path: Path) -> dict[str, str]:
    """The playbook's ``##`` sections by heading."""
    sections: dict[str, str] = {}
    heading = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            sections[heading] = ""
        elif heading is not None:
            sections[heading] += line + "\n"
    return sections


def fenced_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks in ``markdown``."""
    return re.findall(r"^```[a-z]*\n(.*?)^```", markdown, flags=re.S | re.M)
