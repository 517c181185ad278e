"""The README's example runs and prints the counts it shows."""
from __future__ import annotations


def test_the_gate_a_batch_example_prints_the_rules_and_the_counts(spark, load_script, capsys):
    load_script("examples/gate_a_batch.py").main()

    printed = capsys.readouterr().out
    assert "temperature_in_range       quarantined  1 failing  sample ['999.0']" in printed
    assert "rows in 6 = written 2 + quarantined 4" in printed
