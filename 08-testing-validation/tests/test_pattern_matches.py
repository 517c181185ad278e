"""A pattern rule's frequent values are looked up in a hash set before the regex, and every row gets
the answer the regex alone gives: the list holds only values this regex matched in the first rows."""
from __future__ import annotations

import re

from helpers import reading, readings
from pyspark.sql import functions as F

from plant_data_quality.contract import Rule
from plant_data_quality.pattern_matches import known_matches
from plant_data_quality.rule_checks import failure_expression

FIRMWARE_FORMAT = Rule("firmware_version_format", "pattern", column="firmware_version",
                       params={"regex": r"^[0-9]+\.[0-9]+\.[0-9]+$"})
MACHINE_FORMAT = Rule("machine_id_format", "pattern", column="machine_id", params={"regex": "^M-[0-9]{4}$"})


def firmware_versions(spark, versions):
    return readings(spark, [reading(f"e{position}", firmware_version=version)
                            for position, version in enumerate(versions)]).coalesce(1)


def test_the_first_rows_give_the_values_that_match_each_pattern_in_one_query(spark):
    data = readings(spark, [reading("e1", firmware_version="2.1.0", machine_id="M-0001"),
                            reading("e2", firmware_version="beta", machine_id="press-7"),
                            reading("e3", firmware_version="2.1.0", machine_id="M-0002"),
                            reading("e4", firmware_version=None, machine_id="M-0001")])

    known = known_matches(data, [FIRMWARE_FORMAT, MACHINE_FORMAT])

    assert known == {"firmware_version_format": ("2.1.0",), "machine_id_format": ("M-0001", "M-0002")}


def test_every_row_fails_exactly_when_the_regex_alone_fails_it(spark):
    # only the first three rows are looked at: the later values, new ones included, reach the regex
    versions = ["2.1.0", "beta", "1.4.2", "2.1.0", "10.0.1", "2.1.0 ", "2.1.0\n", "", "２.１.０", None, "beta", "1.4.2"]
    data = firmware_versions(spark, versions)
    known = known_matches(data, [FIRMWARE_FORMAT], rows=3)

    flags = data.select("event_id", failure_expression(FIRMWARE_FORMAT, None).alias("regex_alone"),
                        failure_expression(FIRMWARE_FORMAT, None, known[FIRMWARE_FORMAT.name]).alias("looked_up"))

    assert known == {"firmware_version_format": ("1.4.2", "2.1.0")}
    rows = flags.collect()
    assert [row.looked_up for row in rows] == [row.regex_alone for row in rows]
    failing = [versions[int(row.event_id[1:])] for row in rows if row.looked_up]
    assert failing == ["beta", "2.1.0 ", "", "２.１.０", "beta"]  # Java's $ also matches before a final newline


def test_a_known_value_is_looked_up_before_the_regex(spark, capsys):
    data = firmware_versions(spark, ["2.1.0", "beta"])

    data.where(failure_expression(FIRMWARE_FORMAT, None, ("1.4.2", "2.1.0"))).explain()

    plan = re.sub(r"#\d+", "", capsys.readouterr().out)
    # Spark writes NOT (in list OR regex) as NOT in list AND NOT regex: a value found stops there
    assert "NOT firmware_version IN (1.4.2,2.1.0) AND NOT RLIKE(firmware_version" in plan


def test_a_column_with_more_matching_values_than_the_limit_keeps_the_regex_alone(spark):
    data = firmware_versions(spark, ["2.1.0", "2.1.1", "2.1.2", "beta"])

    assert known_matches(data, [FIRMWARE_FORMAT], inline_limit=2) == {}
    assert known_matches(data, [FIRMWARE_FORMAT], inline_limit=3)[FIRMWARE_FORMAT.name] == ("2.1.0", "2.1.1", "2.1.2")


def test_first_rows_without_a_match_or_a_pattern_on_a_number_start_no_list(spark):
    no_match = firmware_versions(spark, ["beta", None])
    on_a_number = Rule("pressure_digits", "pattern", column="pressure_bar", params={"regex": "^[0-9.]+$"})

    assert known_matches(no_match, [FIRMWARE_FORMAT]) == {}
    assert known_matches(no_match, [on_a_number]) == {}
    assert known_matches(no_match.limit(0), [FIRMWARE_FORMAT]) == {}
    assert no_match.select(F.col("pressure_bar").rlike("^[0-9.]+$")).first()[0]  # Spark would cast it: left alone
