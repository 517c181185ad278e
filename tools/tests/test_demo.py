"""`make demo`'s job: what is produced over SASL_SSL is exactly what lands in Delta, per plant."""
from __future__ import annotations

from catalog_tools.demo import comparison_table, run_demo


def test_demo_lands_every_produced_event_per_plant(spark, kafka_sasl_ssl, tmp_path):
    result = run_demo(spark, kafka_sasl_ssl, tmp_path, events=400, seed=3)

    assert result.counts_match
    assert sum(result.landed.values()) == 400
    assert len(result.landed) == 4  # four plants in four time zones


def test_comparison_table_flags_a_mismatch():
    from collections import Counter

    table = comparison_table(Counter({"BER1": 3, "CHI1": 2}), {"BER1": 3, "CHI1": 1})

    assert table.splitlines()[-1].split() == ["total", "5", "4", "NO"]
    assert "CHI1" in table and table.splitlines()[3].endswith("NO")
