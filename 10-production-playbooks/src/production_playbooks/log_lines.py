"""Read a log one line at a time: strip ANSI colours, skip noise cheaply, place errors in cause chains.

A driver log, a job run's output, a Kafka client log and a pasted stack trace all reach the
diagnoser through :func:`read_log_lines`. Each line that may carry an error (it holds one of
:data:`ERROR_MARKERS`) comes out as a :class:`LogLine` with its 1-based line number and its
**depth**: how deep it sits in the cause chain of the error block it belongs to.

* A Java ``Caused by:`` line is one level deeper than the exception before it.
* A Python chain ("The above exception was the direct cause of the following exception:",
  "During handling of the above exception, another exception occurred:") prints the cause
  first, so the trace that follows is one level shallower than the one before it.
* A new top-level exception, a ``Traceback`` that starts a fresh chain, or a new timestamped
  log record starts a new block at depth 0.

Example::

    >>> lines = ["org.apache.spark.SparkException: Job aborted.",
    ...          "\\tat org.apache.spark.Foo.bar(Foo.scala:1)",
    ...          "Caused by: java.io.IOException: disk full"]
    >>> [(line.number, line.depth) for line in read_log_lines(lines)]
    [(1, 0), (3, 1)]
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
ERROR_MARKERS = (
    "Exception", "Error", "ERROR", "FATAL", "Caused by", "SQLSTATE", "failed", "Failed", "FAILED",
    "FAILURE", "Detected",
)
# A Java or Python exception header at column 0: "org.x.FooException: msg", "ValueError: msg",
# "pyspark.errors.exceptions.captured.AnalysisException: [X] msg", or a Py4J ": org.x.Y: msg".
EXCEPTION_HEADER = re.compile(r"^(?::\s)?(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Failure)\b")
LOG_RECORD_START = re.compile(r"^\[?\d{2,4}[-/]\d\d[-/]\d\d[ T]")
PYTHON_CHAIN_MARKERS = (
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)


@dataclass(frozen=True)
class LogLine:
    """One candidate line: its number in the log, its text (no colours, no newline), its chain depth."""

    number: int
    text: str
    depth: int
    block: int


def strip_ansi(text: str) -> str:
    """Remove ANSI colour and cursor sequences.

    Example::

        >>> strip_ansi("\\x1b[31mERROR\\x1b[0m boom")
        'ERROR boom'
    """
    return ANSI_ESCAPE.sub("", text) if "\x1b" in text else text


def may_carry_error(text: str) -> bool:
    """True when the line holds one of :data:`ERROR_MARKERS` (substring tests, no regex).

    Unrolled on purpose: this runs on every line of the log, and a generator over the markers
    costs more than the tests themselves.
    """
    return ("Exception" in text or "Error" in text or "ERROR" in text or "FATAL" in text
            or "Caused by" in text or "SQLSTATE" in text or "failed" in text or "Failed" in text
            or "FAILED" in text or "FAILURE" in text or "Detected" in text)


def read_log_lines(lines: Iterable[str], counts: dict[str, int] | None = None) -> Iterator[LogLine]:
    """Yield the lines that may carry an error, each with its number, depth and block.

    ``lines`` is any iterable of strings: an open file, ``sys.stdin``, a list. Every line is
    looked at once; only lines holding an error marker are yielded. When given, ``counts["lines"]``
    holds the number of lines read once the iterator is exhausted.
    """
    number = 0
    block = 0
    depth = 0
    segment_start_depth = 0
    chained_python_trace = False
    inside_python_trace = False
    for number, raw in enumerate(lines, start=1):
        if "\x1b" in raw:
            raw = strip_ansi(raw)
        if not may_carry_error(raw):
            # most lines: they only matter when they open or close a cause chain
            if raw.startswith("Traceback (most recent call last):"):
                if chained_python_trace:
                    depth = segment_start_depth - 1
                else:
                    block, depth = block + 1, 0
                segment_start_depth = depth
                chained_python_trace, inside_python_trace = False, True
            elif raw.startswith(PYTHON_CHAIN_MARKERS):
                chained_python_trace = True
            elif (depth or inside_python_trace or segment_start_depth) and LOG_RECORD_START.match(raw):
                block, depth, segment_start_depth, inside_python_trace = block + 1, 0, 0, False
            continue
        text = raw.rstrip("\r\n")
        if text.lstrip().startswith("Caused by:"):
            depth += 1
        elif LOG_RECORD_START.match(text):
            # a new timestamped record ends any open chain
            block, depth, segment_start_depth, inside_python_trace = block + 1, 0, 0, False
        elif text[:1] not in (" ", "\t", "") and EXCEPTION_HEADER.match(text):
            if text.startswith(": "):
                depth += 1  # Py4J: the Java exception that a Python Py4JJavaError wraps
            elif inside_python_trace:
                inside_python_trace = False  # the exception line that closes a Python traceback
            else:
                block, depth, segment_start_depth = block + 1, 0, 0
        yield LogLine(number, text, depth, block)
    if counts is not None:
        counts["lines"] = number
