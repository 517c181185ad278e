"""Repeated runs for the benchmarks: the order of cases per repetition and the median and worst per figure.

A timing from one run says little on a shared machine, so each benchmark here repeats its cases and
publishes the median and the worst run (never the best) of every timed figure. Counts that do not depend
on timing (bytes, files, rows) should repeat exactly; ``repeated_exactly`` says whether they did.

Example::

    >>> case_order(["a", "b", "c"], repetition=2)
    ['c', 'b', 'a']
    >>> median_and_worst([{"case": "a", "wall_s": 2.0}, {"case": "a", "wall_s": 5.0},
    ...                   {"case": "a", "wall_s": 3.0}], "case", "a", "wall_s")
    (3.0, 5.0)
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")


def case_order(cases: Sequence[Item], repetition: int) -> list[Item]:
    """Odd repetitions run the cases in their listed order, even ones in reverse, so no case always runs first
    (the first job in a process pays for JIT compilation) or always after the same neighbour."""
    return list(cases) if repetition % 2 == 1 else list(reversed(cases))


def values_of(rows: list[dict[str, Any]], key_field: str, key: str, figure: str) -> list[Any]:
    """``figure`` of every row whose ``key_field`` is ``key``, in run order."""
    return [row[figure] for row in rows if row[key_field] == key]


def median_and_worst(rows: list[dict[str, Any]], key_field: str, key: str, figure: str) -> tuple[float, float]:
    """The median and the largest (worst) value of a timed ``figure`` over the runs of one case."""
    values = [float(value) for value in values_of(rows, key_field, key, figure)]
    if not values:
        raise ValueError(f"expected at least one run of {key_field}={key!r} with {figure!r}, got none")
    return round(statistics.median(values), 3), max(values)


def repeated_exactly(rows: list[dict[str, Any]], key_field: str, figure: str) -> bool:
    """Whether ``figure`` (bytes, files, rows: not a timing) was the same in every run of every case."""
    return all(len({str(value) for value in values_of(rows, key_field, key, figure)}) == 1
               for key in {row[key_field] for row in rows})
