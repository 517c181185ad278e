"""The README's example runs and ends with the history the README shows."""

from __future__ import annotations

import datetime as dt

from manufacturing_star_schema import OPEN_END


def test_the_example_ends_with_the_documented_history(spark, tmp_path, load_script):
    example = load_script("examples/scd2_machine_config_history.py")

    rows = example.run_example(spark, tmp_path)

    day = lambda d: dt.datetime(2026, 3, d)  # noqa: E731
    assert rows == [
        ("M1", "fw-1.0", False, day(2), day(4), False),
        ("M1", "fw-1.5", False, day(4), day(5), False),  # the late change, placed in history
        ("M1", "fw-2.0", False, day(5), OPEN_END, True),
        ("M2", "fw-1.0", False, day(2), day(6), False),
        ("M2", "fw-1.0", True, day(6), OPEN_END, True),  # tombstone
    ]
