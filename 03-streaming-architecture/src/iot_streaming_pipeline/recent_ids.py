"""The event ids silver and late_events hold within the dedup horizon, kept in memory between batches.

A running silver stream looks every batch's ids up in this set instead of reading the two tables.
Rewriting the whole set after every batch would cost the size of the horizon per batch (at 5,000
events/s and a 1-hour horizon, 18 million ids), so the set is a few immutable *runs*, each a local
checkpoint of ``(event_id, event_time)`` rows:

* each committed batch adds one run holding only its own ids;
* runs merge like the digits of a binary counter: two runs of the same level become one run of the
  next level, up to ``max_level`` (a run of that level spans ``2 ** max_level`` batches), so an id is
  rewritten at most ``max_level`` times and a lookup scans about ``log2(batches)`` runs;
* a run whose newest event is older than the horizon is dropped whole, a merge drops the ids older
  than the horizon, and a lookup filters by the horizon, so the set answers like the tables do.

Example::

    >>> ids = RecentEventIds.starting_from(earlier_ids_df, running_max, dt.timedelta(hours=1))  # doctest: +SKIP
    >>> ids = ids.adding(batch_ids_df, new_running_max)  # doctest: +SKIP
    >>> ids.within(new_running_max).join(next_batch_df, "event_id", "left_semi")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

DEFAULT_MAX_LEVEL = 6  # runs of up to 64 batches: at 6-s batches, about 6 minutes of ids rewritten at once


@dataclass(frozen=True)
class IdRun:
    """One materialized run: its rows, its merge level, and the newest event time it can hold."""

    rows: DataFrame
    level: int
    newest: dt.datetime | None


@dataclass(frozen=True)
class RecentEventIds:
    """Immutable set of runs (oldest first) for a dedup ``horizon``; ``adding`` returns a new set."""

    horizon: dt.timedelta
    runs: tuple[IdRun, ...] = ()
    max_level: int = DEFAULT_MAX_LEVEL

    @classmethod
    def starting_from(cls, earlier_ids: DataFrame, running_max: dt.datetime | None, horizon: dt.timedelta,
                      max_level: int = DEFAULT_MAX_LEVEL) -> RecentEventIds:
        """The set as read from the tables after a start: one run at ``max_level`` (it never merges)."""
        return cls(horizon, (IdRun(_materialized(earlier_ids), max_level, running_max),), max_level)

    def within(self, running_max: dt.datetime | None) -> DataFrame | None:
        """The ``(event_id, event_time)`` rows at or after ``running_max - horizon`` (None without runs)."""
        if not self.runs:
            return None
        rows = self.runs[0].rows
        for run in self.runs[1:]:
            rows = rows.unionByName(run.rows)
        return self._kept(rows, running_max)

    def adding(self, batch_ids: DataFrame, running_max: dt.datetime | None) -> RecentEventIds:
        """This set plus a committed batch's ids (materialized now), runs expired and merged.

        ``running_max`` is the max event time committed so far, this batch included.
        """
        oldest_kept = None if running_max is None else running_max - self.horizon
        runs = [run for run in self.runs if oldest_kept is None or run.newest is None or run.newest >= oldest_kept]
        runs.append(IdRun(_materialized(batch_ids), 0, running_max))
        while len(runs) >= 2 and runs[-1].level == runs[-2].level < self.max_level:
            older, newer = runs[-2], runs.pop()
            merged = self._kept(older.rows.unionByName(newer.rows), running_max)
            runs[-1] = IdRun(_materialized(merged), older.level + 1, newer.newest)
        return RecentEventIds(self.horizon, tuple(runs), self.max_level)

    def _kept(self, rows: DataFrame, running_max: dt.datetime | None) -> DataFrame:
        return rows if running_max is None else rows.where(F.col("event_time") >= F.lit(running_max - self.horizon))


def _materialized(rows: DataFrame) -> DataFrame:
    """``rows`` computed once into a local checkpoint with the session's shuffle-partition count."""
    partitions = int(rows.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    return rows.coalesce(partitions).localCheckpoint(eager=True)
