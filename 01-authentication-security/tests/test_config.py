"""Loading YAML client configs: every shipped config loads, and mistakes fail on load with a clear message."""
from __future__ import annotations

from pathlib import Path

import pytest

from kafka_auth_patterns.config import ConfigValidationError, load_client_config
from kafka_auth_patterns.secrets import EnvironmentSecretProvider, Secret

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
PROVIDER = EnvironmentSecretProvider({"KAFKA_PLANT_A_IOT_APP_PASSWORD": "from-the-vault"})


@pytest.mark.parametrize(
    ("file_name", "mechanism"),
    [("plain.yaml", "PLAIN"), ("scram-sha-256.yaml", "SCRAM-SHA-256"),
     ("scram-sha-512.yaml", "SCRAM-SHA-512"), ("gssapi.yaml", "GSSAPI")],
)
def test_every_shipped_config_loads(file_name, mechanism):
    config = load_client_config(CONFIGS / file_name, PROVIDER)

    assert config.security_protocol == "SASL_SSL"
    assert config.sasl.mechanism == mechanism
    assert config.tls.ca_file == "/etc/kafka/plant-a-ca.pem"
    if mechanism == "GSSAPI":
        assert (config.sasl.kerberos_principal, config.sasl.password) == ("iot-app@PLANT-A.EXAMPLE", None)
    else:
        assert config.sasl.password == Secret("from-the-vault")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.yaml"
    path.write_text(text)
    return path


VALID = """\
bootstrap_servers: localhost:9093
security_protocol: SASL_SSL
sasl: {mechanism: SCRAM-SHA-512, username: iot-app, password: pw}
tls: {ca_file: /tmp/ca.pem}
"""


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        # a misspelled top-level key is named, with the key it probably meant
        (VALID.replace("security_protocol", "security_protocl"),
         "unknown key 'security_protocl'; did you mean 'security_protocol'?"),
        # a misspelled nested key
        (VALID.replace("mechanism:", "mechansim:"), "sasl: unknown key 'mechansim'; did you mean 'mechanism'?"),
        # a missing required key
        (VALID.replace("username: iot-app, ", ""), "sasl.username: expected a value, the key is missing or empty"),
        # a mechanism that does not exist
        (VALID.replace("SCRAM-SHA-512", "SCRAM-SHA512"),
         "sasl.mechanism: expected one of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'GSSAPI'], got 'SCRAM-SHA512' "
         "(did you mean 'SCRAM-SHA-512'?)"),
        # a port that is not a number
        (VALID.replace("localhost:9093", "localhost:ssl"),
         "bootstrap_servers: expected 'host:port', got 'localhost:ssl'"),
        # TLS settings on a plaintext protocol are a contradiction, not something to ignore
        (VALID.replace("SASL_SSL", "SASL_PLAINTEXT"),
         "tls: expected no tls section with security_protocol SASL_PLAINTEXT"),
        # GSSAPI needs a principal and a keytab
        ("bootstrap_servers: h:1\nsecurity_protocol: SASL_SSL\nsasl: {mechanism: GSSAPI, kerberos_keytab: /k}\n",
         "sasl.kerberos_principal: expected a value"),
    ],
)
def test_mistakes_fail_on_load_with_expected_and_actual(tmp_path, broken, message):
    with pytest.raises(ConfigValidationError) as raised:
        load_client_config(write(tmp_path, broken))

    assert message in str(raised.value)


def test_yaml_syntax_error_reports_position_but_not_the_line(tmp_path):
    text = 'bootstrap_servers: h:1\nsecurity_protocol: SASL_SSL\nsasl: {password: "hunter2-secret\n'

    with pytest.raises(ConfigValidationError) as raised:
        load_client_config(write(tmp_path, text))

    assert "expected valid YAML" in str(raised.value) and "line" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigValidationError, match="expected a YAML config file at .*nope.yaml, found none"):
        load_client_config(tmp_path / "nope.yaml")
