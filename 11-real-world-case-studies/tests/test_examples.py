"""The example scripts run on the local stack and print what the README shows."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.kafka


def test_the_multi_plant_example_shows_the_incident_the_fix_and_a_ledger_that_adds_up(
        spark, kafka_sasl_ssl, unique_topic, load_script, tmp_path, capsys):
    example = load_script("examples/run_case_study_multi_plant.py")

    assert example.run_case_study(spark, kafka_sasl_ssl, tmp_path, topic=unique_topic) == 0  # main() minus the setup

    printed = capsys.readouterr().out
    assert "03's gold without a contract: MTY1 machines ['M-0201', 'M-0202', 'MTY1-PRESS-07']" in printed
    assert "gated fact table: MTY1 machines ['M-0201', 'M-0202']" in printed
    assert ("[ok] 13 on the topic = 8 fact + 3 contract quarantine + 1 parse quarantine + 1 duplicates + 0 late"
            in printed)
