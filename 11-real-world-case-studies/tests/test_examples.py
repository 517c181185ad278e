"""The example scripts run on the local stack and print what the README shows."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.kafka


def test_the_multi_plant_example_shows_the_incident_the_fix_and_a_ledger_that_adds_up(spark, load_script, capsys):
    example = load_script("examples/run_case_study_multi_plant.py")

    assert example.main() == 0

    printed = capsys.readouterr().out
    assert "03's gold without a contract: MTY1 machines ['M-0201', 'M-0202', 'MTY1-PRESS-07']" in printed
    assert "gated fact table: MTY1 machines ['M-0201', 'M-0202']" in printed
    assert ("[ok] 13 on the topic = 8 fact + 3 contract quarantine + 1 parse quarantine + 1 duplicates + 0 late"
            in printed)
