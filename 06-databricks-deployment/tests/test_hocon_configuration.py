"""The HOCON configuration: typed loading, env-var substitution, secret references, redacted display,
and the same values in the bundle's targets."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import BUNDLE, FOLDER

from databricks_bundle_deployment import resolve_target
from databricks_bundle_deployment.cli import main
from databricks_bundle_deployment.configuration.loader import (
    MissingKeyError,
    SecretValueError,
    UnknownEnvironmentError,
    UnknownKeyError,
    WrongTypeError,
    load_settings,
)
from databricks_bundle_deployment.configuration.rendering import bundle_variables
from databricks_bundle_deployment.configuration.settings import SecretRef

CONFIG = FOLDER / "hocon-configurations"


@pytest.fixture(autouse=True)
def no_machine_values(monkeypatch):
    for name in ("IOT_STORAGE_ROOT", "IOT_KAFKA_BOOTSTRAP", "IOT_SPARK_HISTORY_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONFIG, tmp_path / "conf"))


def test_each_environment_overrides_application_conf():
    prod = load_settings(CONFIG, "prod")

    assert (prod.environment, prod.databricks.catalog, prod.databricks.schema) == ("prod", "iot_prod", "manufacturing")
    assert prod.kafka.max_offsets_per_trigger == 1000
    assert prod.kafka.sasl_password == SecretRef("iot-kafka", "sasl-password")


def test_an_environment_variable_overrides_a_per_machine_value_and_is_ignored_when_unset(monkeypatch):
    assert load_settings(CONFIG, "dev").storage.root == "/Volumes/iot_dev/manufacturing/lake"

    monkeypatch.setenv("IOT_STORAGE_ROOT", "/data/lake")

    assert load_settings(CONFIG, "prod").storage.root == "/data/lake"


def test_a_missing_key_names_its_path(config_copy):
    text = (config_copy / "application.conf").read_text().replace("    schema = manufacturing\n", "")
    (config_copy / "application.conf").write_text(text)

    with pytest.raises(MissingKeyError, match=r"^iot\.databricks\.schema: expected str, found no value$"):
        load_settings(config_copy, "qa")


def test_a_wrong_type_names_the_expected_and_actual_type(config_copy):
    (config_copy / "prod.conf").write_text('iot.kafka.max_offsets_per_trigger = "a thousand"\n')

    with pytest.raises(WrongTypeError, match=r"max_offsets_per_trigger: expected int, found str 'a thousand'$"):
        load_settings(config_copy, "prod")


def test_an_unknown_key_is_rejected(config_copy):
    (config_copy / "qa.conf").write_text("iot.storage.roots = /mnt/typo\n")

    with pytest.raises(UnknownKeyError, match=r"^iot\.storage\.roots: expected one of \['root'\]"):
        load_settings(config_copy, "qa")


def test_a_secret_written_as_a_value_is_rejected_without_showing_it(config_copy):
    (config_copy / "prod.conf").write_text('iot.kafka.sasl_password = "hunter2-prod"\n')

    with pytest.raises(SecretValueError) as raised:
        load_settings(config_copy, "prod")

    assert "hunter2-prod" not in str(raised.value)
    assert str(raised.value) == ("iot.kafka.sasl_password: expected a secret reference { scope = ..., key = ... }, "
                                 "found a literal value (not shown)")


def test_an_unknown_environment_is_a_named_error():
    with pytest.raises(UnknownEnvironmentError, match=r"expected one of \['dev', 'qa', 'prod'\], found 'stage'"):
        load_settings(CONFIG, "stage")


def test_config_show_prints_the_merged_prod_configuration_with_secrets_redacted(capsys):
    assert main(["config", "show", "--env", "prod", "--config", str(CONFIG)]) == 0

    shown = capsys.readouterr().out
    assert 'catalog = "iot_prod"' in shown
    assert 'sasl_password = "<secret iot-kafka/sasl-password: redacted>"' in shown


@pytest.mark.parametrize("environment", ["dev", "qa", "prod"])
def test_the_bundle_targets_and_the_configuration_agree(environment):
    settings = load_settings(CONFIG, environment)
    resolved = resolve_target(BUNDLE, environment)

    expected = bundle_variables(settings)
    assert {name: resolved.variables[name] for name in expected} == expected
    assert resolved.document["workspace"]["host"] == settings.databricks.host
