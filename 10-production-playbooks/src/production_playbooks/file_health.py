"""Check a Delta table for the small-files problem, from ``DESCRIBE DETAIL``, and say it in one log line.

Small files raise no error: reads just get slower as every file costs a listing entry, an open,
a footer read and a task slot. On Databricks, OPTIMIZE and auto-compaction fix it; first you need
to see it. :func:`delta_file_health` reads the table's file count and size, and
:meth:`FileHealth.report_line` prints a ``WARN`` line (or an ``INFO`` line when healthy) that a
scheduled job can log and that the diagnoser recognises.

Example::

    health = delta_file_health(spark, "/lake/bronze/readings")
    print(health.report_line())
    # WARN Detected small files: delta table <path> has 24 files averaging 1203 bytes; expected files of at
    # least 33554432 bytes
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_FILE_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_SMALL_FILES = 16


@dataclass(frozen=True)
class FileHealth:
    """A table's file count and size, and whether it has too many files below ``min_file_bytes`` on average."""

    path: str
    num_files: int
    size_bytes: int
    min_file_bytes: int
    max_small_files: int

    @property
    def average_file_bytes(self) -> int:
        return self.size_bytes // self.num_files if self.num_files else 0

    @property
    def has_small_files(self) -> bool:
        """More than ``max_small_files`` files whose average size is under ``min_file_bytes``."""
        return self.num_files > self.max_small_files and self.average_file_bytes < self.min_file_bytes

    def report_line(self) -> str:
        """One log line: ``WARN Detected small files: ...`` when the table needs compaction, else ``INFO``."""
        if self.has_small_files:
            return (f"WARN Detected small files: delta table {self.path} has {self.num_files} files averaging "
                    f"{self.average_file_bytes} bytes; expected files of at least {self.min_file_bytes} bytes")
        return (f"INFO file health: delta table {self.path} has {self.num_files} files averaging "
                f"{self.average_file_bytes} bytes")


def delta_file_health(
    spark: Any, path: str, min_file_bytes: int = DEFAULT_MIN_FILE_BYTES, max_small_files: int = DEFAULT_MAX_SMALL_FILES
) -> FileHealth:
    """Read ``DESCRIBE DETAIL`` of the Delta table at ``path`` and return its :class:`FileHealth`.

    Example::

        >>> delta_file_health(spark, "/lake/bronze/readings").has_small_files  # doctest: +SKIP
        True
    """
    if not path or "`" in path:
        raise ValueError(f"path: expected a table path without backticks, got {path!r}")
    if min_file_bytes <= 0 or max_small_files < 0:
        raise ValueError(f"expected min_file_bytes > 0 and max_small_files >= 0, "
                         f"got {min_file_bytes} and {max_small_files}")
    detail = spark.sql(f"DESCRIBE DETAIL delta.`{path}`").select("format", "numFiles", "sizeInBytes").first()
    if detail is None or detail["format"] != "delta":
        raise ValueError(f"expected a Delta table at {path!r}, found format {detail and detail['format']!r}")
    return FileHealth(path, int(detail["numFiles"]), int(detail["sizeInBytes"]), min_file_bytes, max_small_files)
