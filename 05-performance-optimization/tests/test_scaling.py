"""The extrapolation method: a least-squares line, labelled as an extrapolation, refused when it cannot hold."""
from __future__ import annotations

import pytest

from spark_performance_analyzer.scaling import InsufficientMeasurementsError, extrapolate, fit_linear


def test_a_linear_curve_is_fitted_exactly():
    fit = fit_linear([(1_000_000, 12.0), (10_000_000, 48.0), (50_000_000, 208.0)])  # 8 s + 4 s per million

    assert fit.fixed_s == pytest.approx(8.0)
    assert fit.per_row_s == pytest.approx(4e-6)
    assert fit.r_squared == pytest.approx(1.0)


def test_the_estimate_says_it_is_an_extrapolation_and_shows_each_step():
    fit = fit_linear([(1_000_000, 12.0), (10_000_000, 48.0), (50_000_000, 208.0)])

    estimate = extrapolate(fit, rows=1e9, measured_cores=2, target_cores=64, efficiency=0.5)

    assert estimate.seconds_on_measured_cores == pytest.approx(4_008)        # 8 + 4 x 1,000
    assert estimate.seconds_on_target_cores == pytest.approx(8 + 4_000 / 16)  # 64 / 2 x 0.5 = 16x
    assert estimate.speedup_on_per_row_part == pytest.approx(16.0)
    assert estimate.steps[0].startswith("EXTRAPOLATION, not a measurement: least squares")
    assert estimate.steps[1].startswith("on 2 cores (the measuring machine)") and "4,008 s" in estimate.steps[1]
    assert estimate.steps[2].startswith("on 64 cores")
    assert "0.5 assumed parallel efficiency = 16.0x" in estimate.steps[2]


def test_a_negative_fixed_cost_is_refitted_through_the_origin_and_says_so():
    points = [(1_000_000, 2.0), (10_000_000, 20.0), (50_000_000, 150.0)]  # small sizes ran fast: intercept < 0
    assert fit_linear(points).fixed_s < 0

    fit = fit_linear(points, non_negative_fixed=True)

    assert fit.fixed_s == 0.0
    assert fit.per_row_s == pytest.approx(sum(x * y for x, y in points) / sum(x * x for x, _ in points))
    assert fit.method.startswith("least squares through the origin")
    assert 0.9 < fit.r_squared <= 1.0


def test_a_positive_fixed_cost_is_kept_when_negative_ones_are_refused():
    points = [(1_000_000, 12.0), (10_000_000, 48.0), (50_000_000, 208.0)]

    assert fit_linear(points, non_negative_fixed=True) == fit_linear(points)


def test_fewer_cores_never_make_the_job_faster_than_measured():
    fit = fit_linear([(1e6, 10.0), (2e6, 20.0)])

    assert extrapolate(fit, 1e9, measured_cores=2, target_cores=2).seconds_on_target_cores == pytest.approx(
        extrapolate(fit, 1e9, measured_cores=2, target_cores=2).seconds_on_measured_cores)


@pytest.mark.parametrize("points, message", [
    ([(1e6, 10.0)], "expected at least 2 distinct sizes"),
    ([(1e6, 10.0), (1e6, 11.0)], "expected at least 2 distinct sizes"),
])
def test_too_few_sizes_cannot_be_fitted(points, message):
    with pytest.raises(InsufficientMeasurementsError, match=message):
        fit_linear(points)


def test_a_curve_that_falls_with_size_is_not_extrapolated():
    fit = fit_linear([(1e5, 19.0), (3e5, 8.5)])  # noise from a busy machine at tiny sizes

    with pytest.raises(InsufficientMeasurementsError, match="expected time to grow with rows"):
        extrapolate(fit, 1e9, measured_cores=2, target_cores=64)
