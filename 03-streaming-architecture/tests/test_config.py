"""Per-environment configs: the packaged YAML files load, and every broken setting names itself."""
from __future__ import annotations

from importlib import resources

import pytest
import yaml

from iot_streaming_pipeline.config import (
    KafkaCredentials,
    kafka_credentials_from_env,
    kafka_source_options,
    load_environment_config,
    load_pipeline_config,
    parse_pipeline_config,
)
from iot_streaming_pipeline.errors import InvalidPipelineConfigError, MissingKafkaCredentialsError


@pytest.mark.parametrize("environment", ["dev", "qa", "prod"])
def test_every_packaged_environment_loads(environment):
    config = load_environment_config(environment)

    assert config.environment == environment
    assert config.kafka.topic == "plant.sensor-readings.v1"
    assert config.streaming.allowed_lateness_seconds == 600


def test_qa_and_prod_use_sasl_ssl_with_a_truststore():
    for environment in ("qa", "prod"):
        kafka = load_environment_config(environment).kafka
        assert (kafka.security_protocol, kafka.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert kafka.truststore_pem_path


def test_prod_refuses_plaintext():
    with pytest.raises(InvalidPipelineConfigError, match="expected SASL_SSL in prod, got 'PLAINTEXT'"):
        load_environment_config("prod", overrides={"kafka": {"security_protocol": "PLAINTEXT"}})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kafka": {"max_offsets_per_trigger": 0}}, "max_offsets_per_trigger: expected >= 1, got 0"),
    ({"kafka": {"max_offsets_per_trigger": "many"}}, "max_offsets_per_trigger: expected int, got 'many'"),
    ({"kafka": {"starting_offsets": "yesterday"}}, "expected one of \\['earliest', 'latest'\\], got 'yesterday'"),
    ({"streaming": {"trigger_interval": "fast"}}, "trigger_interval: expected '<n> seconds'"),
    ({"streaming": {"dedup_horizon_seconds": 60}}, "allowed_lateness_seconds <= dedup_horizon_seconds"),
    ({"streaming": {"silver_source": "gold"}}, "silver_source: expected one of \\['kafka', 'bronze'\\], got 'gold'"),
    ({"streaming": {"bronze_trigger_interval": "later"}}, "bronze_trigger_interval: expected '<n> seconds'"),
    ({"streaming": {"bronze_trigger_interval": 30}}, "bronze_trigger_interval: expected str, got 30"),
    ({"validation": {"metric_ranges": {"temperature_c": [400, -40]}}}, "expected \\[low, high\\] with low < high"),
    ({"validation": {"metric_ranges": {"humidity": [0, 1]}}}, "expected metrics from .* got 'humidity'"),
    ({"extension_fields": {"tool_id": "blob"}}, "extension_fields.tool_id: expected one of"),
])
def test_broken_settings_raise_a_named_error_showing_expected_and_actual(overrides, message):
    with pytest.raises(InvalidPipelineConfigError, match=message):
        load_environment_config("dev", overrides=overrides)


def test_bronze_has_its_own_trigger_interval_defaulting_to_the_shared_one():
    raw = yaml.safe_load(resources.files("iot_streaming_pipeline").joinpath("configs", "dev.yaml").read_text())
    raw["streaming"].pop("bronze_trigger_interval", None)

    default = parse_pipeline_config(raw, {"streaming": {"trigger_interval": "5 seconds"}})
    own = parse_pipeline_config(raw, {"streaming": {"bronze_trigger_interval": "45 seconds"}})

    assert default.streaming.bronze_trigger_interval == "5 seconds"
    assert own.streaming.bronze_trigger_interval == "45 seconds"


def test_a_missing_file_and_a_missing_section_are_named(tmp_path):
    with pytest.raises(InvalidPipelineConfigError, match="expected an existing file"):
        load_pipeline_config(tmp_path / "absent.yaml")
    (tmp_path / "partial.yaml").write_text("environment: dev\nstorage: {root: /tmp/x}\n")
    with pytest.raises(InvalidPipelineConfigError, match="config.validation: expected a value, found none"):
        load_pipeline_config(tmp_path / "partial.yaml")


def test_credentials_come_from_named_environment_variables_and_never_show_the_password():
    kafka = load_environment_config("qa").kafka

    with pytest.raises(MissingKafkaCredentialsError) as missing:
        kafka_credentials_from_env(kafka, {"IOT_KAFKA_USERNAME": "iot-app"})
    credentials = kafka_credentials_from_env(kafka, {"IOT_KAFKA_USERNAME": "iot-app", "IOT_KAFKA_PASSWORD": "s3cr3t"})

    assert "IOT_KAFKA_PASSWORD" in str(missing.value)
    assert credentials == KafkaCredentials("iot-app", "s3cr3t")
    assert "s3cr3t" not in repr(credentials)
    assert kafka_credentials_from_env(load_environment_config("dev").kafka, {}) is None


def test_sasl_ssl_source_options_carry_jaas_truststore_and_read_committed():
    kafka = load_environment_config("prod").kafka

    options = kafka_source_options(kafka, KafkaCredentials("iot-app", 'pa"ss'))

    assert options["kafka.security.protocol"] == "SASL_SSL"
    assert options["kafka.sasl.jaas.config"] == (
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="iot-app" password="pa\\"ss";')
    assert options["kafka.ssl.truststore.type"] == "PEM"
    assert options["kafka.isolation.level"] == "read_committed"
    assert options["maxOffsetsPerTrigger"] == "200000"
    with pytest.raises(MissingKafkaCredentialsError):
        kafka_source_options(kafka, None)
