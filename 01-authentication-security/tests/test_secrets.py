"""Secret values redact themselves; providers read env vars, files and Databricks secret scopes."""
from __future__ import annotations

import logging
import pickle

import pytest

from kafka_auth_patterns.secrets import (
    ChainSecretProvider,
    DatabricksSecretProvider,
    EnvironmentSecretProvider,
    FileSecretProvider,
    Secret,
    SecretNotFoundError,
    SecretReferenceError,
    resolve_secret_references,
    running_on_databricks,
)

VALUE = "s3cr3t-press-line-7"


def test_secret_never_shows_its_value(caplog):
    secret = Secret(VALUE)

    with caplog.at_level(logging.INFO):
        logging.getLogger("plant").info("connecting with %s / %r / %s", secret, secret, {"password": secret})
    texts = [repr(secret), str(secret), f"{secret}", f"{secret:>30}", caplog.text, repr([secret])]

    assert all(VALUE not in text for text in texts)
    assert secret.reveal() == VALUE
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def test_environment_provider_maps_scope_and_key_to_a_variable_name():
    provider = EnvironmentSecretProvider({"KAFKA_PLANT_A_IOT_APP_PASSWORD": VALUE})

    assert provider.get("kafka-plant-a", "iot-app-password").reveal() == VALUE
    with pytest.raises(SecretNotFoundError, match="expected environment variable KAFKA_PLANT_A_OTHER"):
        provider.get("kafka-plant-a", "other")


def test_file_provider_reads_one_file_per_secret(tmp_path):
    (tmp_path / "kafka-plant-a").mkdir()
    (tmp_path / "kafka-plant-a" / "iot-app-password").write_text(VALUE + "\n")  # mounted secrets end in a newline

    assert FileSecretProvider(tmp_path).get("kafka-plant-a", "iot-app-password").reveal() == VALUE
    with pytest.raises(SecretNotFoundError, match="expected a secret file at"):
        FileSecretProvider(tmp_path).get("kafka-plant-a", "missing")


class RecordingDbutils:
    """The shape of Databricks' ``dbutils`` that DatabricksSecretProvider uses: ``dbutils.secrets.get``."""

    def __init__(self, scopes: dict[tuple[str, str], str]) -> None:
        self.secrets = self
        self.calls: list[tuple[str, str]] = []
        self._scopes = scopes

    def get(self, scope: str, key: str) -> str:
        self.calls.append((scope, key))
        if (scope, key) not in self._scopes:
            raise ValueError(f"Secret does not exist with scope: {scope} and key: {key}")
        return self._scopes[(scope, key)]


def test_databricks_provider_calls_dbutils_secrets_get_with_scope_and_key():
    dbutils = RecordingDbutils({("kafka-plant-a", "iot-app-password"): VALUE})
    provider = DatabricksSecretProvider(dbutils)

    assert provider.get("kafka-plant-a", "iot-app-password").reveal() == VALUE
    with pytest.raises(SecretNotFoundError, match=r"dbutils.secrets.get\(scope='kafka-plant-a', key='nope'\)"):
        provider.get("kafka-plant-a", "nope")
    assert dbutils.calls == [("kafka-plant-a", "iot-app-password"), ("kafka-plant-a", "nope")]
    with pytest.raises(TypeError, match="expected a Databricks dbutils object"):
        DatabricksSecretProvider(object())


def test_running_on_databricks_reads_the_runtime_variable():
    assert running_on_databricks({"DATABRICKS_RUNTIME_VERSION": "16.4"})
    assert not running_on_databricks({})


def test_chain_provider_falls_back_in_order(tmp_path):
    (tmp_path / "kafka").mkdir()
    (tmp_path / "kafka" / "password").write_text("from-file")
    chain = ChainSecretProvider([EnvironmentSecretProvider({}), FileSecretProvider(tmp_path)])

    assert chain.get("kafka", "password").reveal() == "from-file"
    with pytest.raises(SecretNotFoundError, match="none did"):
        chain.get("kafka", "absent")


def test_references_resolve_anywhere_in_the_document_and_only_as_whole_values():
    provider = EnvironmentSecretProvider({"KAFKA_PASSWORD": VALUE, "OAUTH_CLIENT_SECRET": "cs"})
    document = {"sasl": {"password": "{{secrets/kafka/password}}"}, "list": ["{{ secrets/oauth/client-secret }}", 3]}

    resolved = resolve_secret_references(document, provider)

    assert resolved == {"sasl": {"password": Secret(VALUE)}, "list": [Secret("cs"), 3]}
    with pytest.raises(SecretReferenceError, match=r"sasl.password: expected a whole value"):
        resolve_secret_references({"sasl": {"password": "x-{{secrets/kafka/password}}"}}, provider)
