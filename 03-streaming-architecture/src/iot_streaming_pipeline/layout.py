"""Where each table and checkpoint lives under one storage root (the layout convention).

``<root>/tables/<name>`` for Delta tables and ``<root>/checkpoints/<query>`` for streaming
checkpoints: one checkpoint per query, named after the table it writes, never shared.

Example::

    >>> paths = PipelinePaths.under("/mnt/iot-prod/streaming")
    >>> paths.checkpoint("silver")
    '/mnt/iot-prod/streaming/checkpoints/silver'
"""
from __future__ import annotations

from dataclasses import dataclass

QUERY_NAMES = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class PipelinePaths:
    """Paths of every table and checkpoint of one pipeline."""

    root: str

    @classmethod
    def under(cls, root: str) -> PipelinePaths:
        return cls(root.rstrip("/"))

    def table(self, name: str) -> str:
        return f"{self.root}/tables/{name}"

    def checkpoint(self, query_name: str) -> str:
        return f"{self.root}/checkpoints/{query_name}"

    @property
    def bronze(self) -> str:
        return self.table("bronze")

    @property
    def silver(self) -> str:
        return self.table("silver")

    @property
    def quarantine(self) -> str:
        return self.table("quarantine")

    @property
    def late_events(self) -> str:
        return self.table("late_events")

    @property
    def duplicates(self) -> str:
        return self.table("duplicates")

    @property
    def gold(self) -> str:
        return self.table("gold_machine_minute")

    @property
    def stream_metrics(self) -> str:
        return self.table("stream_metrics")
