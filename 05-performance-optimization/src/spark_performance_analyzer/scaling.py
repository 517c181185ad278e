"""From a measured scaling curve to an estimate at a size you cannot run here, with the method shown.

The method, and its limits, stated once: fit ``seconds = fixed + per_row x rows`` by least
squares to the measured points. A negative fixed cost has no physical meaning (it comes from
noise at the small sizes), so with ``non_negative_fixed=True`` such a fit is redone through the
origin (``fixed = 0``) and says so in its ``method``. The fit is only worth extrapolating when it
is close to linear (``r_squared`` near 1). The estimate at N rows on the measuring machine is
``fixed + per_row x N``. Spreading it over more cores divides only the per-row part, and only as
far as the job stays parallel: ``efficiency`` (< 1 for shuffles, stragglers and scheduling) is an
assumption, not a measurement. Every output of :func:`extrapolate` is an **extrapolation**, not a
measurement, and says so in its steps.

Example::

    >>> fit = fit_linear([(1e6, 10.0), (1e7, 55.0), (5e7, 255.0)])
    >>> round(fit.per_row_s * 1e6, 2), round(fit.fixed_s, 1)
    (5.0, 5.0)
    >>> estimate = extrapolate(fit, rows=1e9, measured_cores=2, target_cores=64, efficiency=0.7)
    >>> round(estimate.seconds_on_measured_cores), round(estimate.seconds_on_target_cores)
    (5005, 228)
    >>> fit_linear([(1e6, 2.0), (1e7, 20.0), (5e7, 150.0)], non_negative_fixed=True).method
    'least squares through the origin (the free fit had a negative fixed cost, -5.5)'
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class InsufficientMeasurementsError(ValueError):
    """Too few or degenerate points to fit a line through."""


@dataclass(frozen=True)
class LinearFit:
    fixed_s: float
    per_row_s: float
    r_squared: float
    method: str = "least squares"


def _r_squared(points: Sequence[tuple[float, float]], fixed: float, slope: float) -> float:
    mean_y = sum(y for _, y in points) / len(points)
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - (fixed + slope * x)) ** 2 for x, y in points)
    return 1.0 - residual / total if total else 1.0


def fit_linear(points: Sequence[tuple[float, float]], non_negative_fixed: bool = False) -> LinearFit:
    """Least-squares line through ``(rows, seconds)`` points (or any ``(x, y)``).

    With ``non_negative_fixed`` a fit whose fixed part comes out negative is redone through the
    origin, and ``method`` records the discarded intercept.
    """
    if len(points) < 2 or len({x for x, _ in points}) < 2:
        raise InsufficientMeasurementsError(f"points: expected at least 2 distinct sizes, got {list(points)}")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    if non_negative_fixed and intercept < 0:
        through_origin = sum(x * y for x, y in points) / sum(x * x for x, _ in points)
        return LinearFit(0.0, through_origin, _r_squared(points, 0.0, through_origin),
                         f"least squares through the origin (the free fit had a negative fixed cost, {intercept:.1f})")
    return LinearFit(intercept, slope, _r_squared(points, intercept, slope))


@dataclass(frozen=True)
class Extrapolation:
    rows: float
    seconds_on_measured_cores: float
    seconds_on_target_cores: float
    speedup_on_per_row_part: float
    steps: tuple[str, ...]


def extrapolate(fit: LinearFit, rows: float, measured_cores: int, target_cores: int,
                efficiency: float = 0.7) -> Extrapolation:
    """Estimate seconds at ``rows`` on the measuring machine and on ``target_cores`` (EXTRAPOLATION).

    ``steps`` holds three lines: the fit, the arithmetic on the measured cores, and the
    arithmetic on the target cores with the assumed parallel efficiency.
    """
    if measured_cores < 1 or target_cores < 1 or not 0 < efficiency <= 1:
        raise InsufficientMeasurementsError(
            f"expected cores >= 1 and efficiency in (0, 1], got {measured_cores}, {target_cores}, {efficiency}")
    if fit.per_row_s <= 0:
        raise InsufficientMeasurementsError(
            f"expected time to grow with rows, got {fit.per_row_s:g} s per row: measure larger sizes")
    variable = fit.per_row_s * rows
    here = fit.fixed_s + variable
    speedup = max(1.0, target_cores / measured_cores * efficiency)
    there = fit.fixed_s + variable / speedup
    return Extrapolation(rows, here, there, speedup, (
        f"EXTRAPOLATION, not a measurement: {fit.method}, seconds = {fit.fixed_s:.1f} + "
        f"{fit.per_row_s * 1e6:.3f} x million rows (r^2 = {fit.r_squared:.4f})",
        f"on {measured_cores} cores (the measuring machine): {fit.fixed_s:.1f} + {fit.per_row_s * 1e6:.3f}"
        f" x {rows / 1e6:,.0f} = {here:,.0f} s",
        f"on {target_cores} cores: the per-row part {variable:,.0f} s / ({target_cores} / {measured_cores} cores"
        f" x {efficiency:g} assumed parallel efficiency = {speedup:.1f}x) + fixed {fit.fixed_s:.1f} = {there:,.0f} s",
    ))
