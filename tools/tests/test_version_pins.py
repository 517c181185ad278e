"""One set of versions: constraints.txt and the Maven POMs must name the same Spark and Delta."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def pinned(package: str) -> str:
    match = re.search(rf"^{package}==(\S+)$", (REPO_ROOT / "constraints.txt").read_text(), re.MULTILINE)
    assert match, f"expected {package} pinned in constraints.txt"
    return match.group(1)


def pom_property(pom: str, name: str) -> str:
    root = ElementTree.parse(REPO_ROOT / "tools" / "jvm" / pom).getroot()
    return root.find(f"m:properties/m:{name}", POM_NS).text


def test_spark_jars_match_the_pinned_pyspark_and_delta():
    assert pom_property("spark-jars.pom.xml", "spark.version") == pinned("pyspark")
    assert pom_property("spark-jars.pom.xml", "delta.version") == pinned("delta-spark")


def test_pyspark_and_delta_are_the_official_4_0_pair():
    assert pinned("pyspark").startswith("4.0.")
    assert pinned("delta-spark").startswith("4.0.")


def test_broker_is_kafka_4():
    assert pom_property("kafka-broker.pom.xml", "kafka.version").startswith("4.")
