"""The CLI prints the report and exits non-zero on failure; no password shows up anywhere along the way."""
from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from kafka_auth_patterns.cli import EXIT_BAD_CONFIG, EXIT_DIAGNOSED_FAILURE, EXIT_OK, main
from kafka_auth_patterns.config import ConfigValidationError, client_config_from_dict
from kafka_auth_patterns.diagnoser import diagnose_connection
from kafka_auth_patterns.dialects import JaasValueError, jaas_config, kafka_python_kwargs, spark_kafka_options
from tests.helpers import TRICKY_PASSWORD, TRICKY_USER, broker_config, yaml_config


def write_config(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_cli_exit_codes_and_report(kafka_sasl_ssl, tmp_path, monkeypatch, capsys):
    good = write_config(tmp_path, "good.yaml", yaml_config(kafka_sasl_ssl.sasl_ssl_bootstrap, "iot-app",
                                                             ca_file=kafka_sasl_ssl.ca_file))
    broken = write_config(tmp_path, "broken.yaml", "bootstrap_server: localhost:1\n")

    monkeypatch.setenv("KAFKA_PASSWORD", kafka_sasl_ssl.user("iot-app").password)
    assert main([str(good)]) == EXIT_OK
    assert "Result: OK" in capsys.readouterr().out

    monkeypatch.setenv("KAFKA_PASSWORD", "not-the-password")
    assert main([str(good)]) == EXIT_DIAGNOSED_FAILURE
    assert "Cause:  authentication_failed" in capsys.readouterr().out

    assert main([str(broken)]) == EXIT_BAD_CONFIG
    assert "did you mean 'bootstrap_servers'?" in capsys.readouterr().err


def test_cli_runs_as_a_module_and_exits_1_on_a_refused_connection(tmp_path):
    config = write_config(tmp_path, "down.yaml", yaml_config("localhost:1", protocol="PLAINTEXT"))

    result = subprocess.run([sys.executable, "-m", "kafka_auth_patterns.cli", str(config)],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == EXIT_DIAGNOSED_FAILURE
    assert "Cause:  connection_refused" in result.stdout


def test_no_password_in_logs_reprs_reports_or_exceptions(secured_broker, kafka_sasl_ssl, caplog, capsys, tmp_path):
    """Run the failure scenarios with every logger at DEBUG, collect every text they produce, scan it."""
    wrong_password = 'Wr0ng "old"; pass\\word'
    admin = broker_config(secured_broker, user="admin")
    scenario_configs = [
        broker_config(secured_broker, user=TRICKY_USER, password=wrong_password),  # wrong password
        broker_config(secured_broker, user="no-such-user", password=TRICKY_PASSWORD),  # unknown user
        broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD, mechanism="SCRAM-SHA-256"),
        broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD, mechanism="PLAIN"),
        broker_config(kafka_sasl_ssl, password=TRICKY_PASSWORD, ca_file=None),  # no CA
        broker_config(kafka_sasl_ssl, password=TRICKY_PASSWORD, protocol="SASL_PLAINTEXT"),
        broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD),  # success
    ]
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for config in scenario_configs:
            diagnosis = diagnose_connection(config, topic="plant.secret-topic", admin_config=admin)
            texts += [diagnosis.report(), repr(diagnosis), repr(config), repr(kafka_python_kwargs(config)),
                      str(spark_kafka_options(config))]
            logging.getLogger("plant.ingest").info("diagnosed %s with %s", config, kafka_python_kwargs(config))
    for bad_input in [
        {"bootstrap_servers": "h:1", "security_protocol": "SASL_SSL",
         "sasl": {"mechanism": "SCRAM-SHA-512", "username": "u", "password": {"nested": TRICKY_PASSWORD}}},
        {"bootstrap_servers": "h:1", "security_protocol": "SASL_SSL",
         "sasl": {"mechanism": "SCRAM-SHA-512", "usernme": "u", "password": TRICKY_PASSWORD}},
    ]:
        with pytest.raises(ConfigValidationError) as raised:
            client_config_from_dict(bad_input)
        texts.append(str(raised.value))
    with pytest.raises(JaasValueError) as raised:
        jaas_config(broker_config(secured_broker, password=TRICKY_PASSWORD + "\n"))
    texts.append(str(raised.value))
    texts += [caplog.text, *capsys.readouterr()]

    everything = "\n".join(texts)
    assert "SaslAuthenticationFailedError" in caplog.text  # the scan did see the failures' logs
    assert "SASL authentication succeeded" in everything  # the tricky password itself works
    for secret in (TRICKY_PASSWORD, wrong_password, secured_broker.user("admin").password):
        assert secret not in everything
        assert secret.replace('"', '\\"') not in everything  # not even JAAS-escaped
