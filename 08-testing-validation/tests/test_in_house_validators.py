"""An in-house validator plugs in through a small interface: its checks run in the same pass and
gates as the contract's rules, and the run is written as JUnit XML that CI shows."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from helpers import NOW, SENSOR_CONTRACT_PATH, machines, reading, readings
from pyspark.sql import Column
from pyspark.sql import functions as F

from plant_data_quality import (
    ContractFormatError,
    GateBlockedError,
    InHouseCheck,
    evaluate_contract,
    load_contract,
    with_in_house_checks,
    write_junit_xml,
)


class PlantLimitsValidator:
    """Stands in for a team's own framework: two checks it already has, adapted to the interface."""

    name = "plant_limits"

    def __init__(self, block_on_pressure: bool = False) -> None:
        self.block_on_pressure = block_on_pressure

    def checks(self):
        return [InHouseCheck("temperature_below_alarm", on_fail="warn", sample_columns=("temperature_c",)),
                InHouseCheck("pressure_below_relief_valve", on_fail="block" if self.block_on_pressure else "quarantine",
                             sample_columns=("pressure_bar",))]

    def failure_column(self, check_name: str) -> Column:
        limits = {"temperature_below_alarm": F.col("temperature_c") > 300,
                  "pressure_below_relief_valve": F.col("pressure_bar") > 250}
        return limits[check_name]


@pytest.fixture
def batch(spark):
    return readings(spark, [reading("e1"),
                            reading("e2", temperature_c=350.0),   # over the alarm: warn, row passes
                            reading("e3", pressure_bar=300.0)])   # over the relief valve


def test_in_house_checks_run_through_the_same_gates_and_quarantine(spark, batch):
    contract = with_in_house_checks(load_contract(SENSOR_CONTRACT_PATH), [PlantLimitsValidator()])

    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    assert run.result("plant_limits.temperature_below_alarm").outcome == "warned"
    assert run.result("plant_limits.pressure_below_relief_valve").sample_values == ("300.0",)
    assert [(r.event_id, r.failed_rules) for r in run.quarantined_rows.collect()] == [
        ("e3", ["plant_limits.pressure_below_relief_valve"])]
    assert run.rows_in == 3 == run.rows_passed + run.rows_quarantined


def test_a_blocking_in_house_check_blocks_the_write(spark, batch):
    contract = with_in_house_checks(load_contract(SENSOR_CONTRACT_PATH), [PlantLimitsValidator(block_on_pressure=True)])

    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    with pytest.raises(GateBlockedError, match="plant_limits.pressure_below_relief_valve: 1 of 3 rows failed"):
        run.raise_if_blocked()


def test_the_run_is_written_as_junit_xml_with_one_case_per_rule(spark, batch, tmp_path):
    contract = with_in_house_checks(load_contract(SENSOR_CONTRACT_PATH), [PlantLimitsValidator()])
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    suite = ET.parse(write_junit_xml(run, tmp_path / "reports" / "contract.xml")).getroot()

    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("tests") == str(len(contract.rules)) and suite.get("failures") == "1"
    failure = cases["plant_limits.pressure_below_relief_valve"].find("failure")
    assert failure.get("type") == "quarantined" and "1 of 3 rows failed" in failure.get("message")
    assert "warning" in cases["plant_limits.temperature_below_alarm"].find("system-out").text
    assert cases["temperature_in_range"].find("failure") is None


def test_a_validator_missing_the_interface_or_with_a_bad_gate_is_rejected():
    contract = load_contract(SENSOR_CONTRACT_PATH)

    with pytest.raises(TypeError, match="expected an InHouseValidator"):
        with_in_house_checks(contract, [object()])

    class SloppyGate(PlantLimitsValidator):
        def checks(self):
            return [InHouseCheck("temperature_below_alarm", on_fail="ignore")]

    with pytest.raises(ContractFormatError, match="expected on_fail in"):
        with_in_house_checks(contract, [SloppyGate()])
