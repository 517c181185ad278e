"""The Schema Registry client over real HTTP against a local server implementing the documented endpoints."""
from __future__ import annotations

import pytest
from local_schema_registry import start_local_registry

from delta_schema_evolution import SchemaRegistryClient, SchemaRegistryError

SUBJECT = "sensor-readings-value"
V1 = {"type": "record", "name": "Reading", "fields": [{"name": "id", "type": "long"},
                                                      {"name": "temp", "type": "double"}]}
V2 = {**V1, "fields": [*V1["fields"], {"name": "unit", "type": "string", "default": "C"}]}
V3_REQUIRED_FIRMWARE = {**V1, "fields": [*V1["fields"], {"name": "firmware", "type": "string"}]}


@pytest.fixture
def registry():
    server, url = start_local_registry()
    yield SchemaRegistryClient(url)
    server.shutdown()


def test_register_versions_and_read_back(registry):
    assert registry.register(SUBJECT, V1) == 1
    assert registry.register(SUBJECT, V2) == 2
    assert registry.subjects() == [SUBJECT]
    assert registry.versions(SUBJECT) == [1, 2]
    latest = registry.get_version(SUBJECT)
    assert (latest["version"], latest["id"], latest["schema"]) == (2, 2, V2)


def test_default_backward_mode_refuses_a_required_field_with_409(registry):
    registry.register(SUBJECT, V1)
    assert registry.is_compatible(SUBJECT, V3_REQUIRED_FIRMWARE) is False
    with pytest.raises(SchemaRegistryError, match="expected HTTP 2xx, got 409") as raised:
        registry.register(SUBJECT, V3_REQUIRED_FIRMWARE)
    assert raised.value.error_code == 409


def test_switching_the_subject_to_forward_accepts_it(registry):
    registry.register(SUBJECT, V1)
    assert registry.get_compatibility() == "BACKWARD"
    assert registry.set_compatibility("FORWARD", subject=SUBJECT) == "FORWARD"
    assert registry.get_compatibility(SUBJECT) == "FORWARD"
    assert registry.register(SUBJECT, V3_REQUIRED_FIRMWARE) == 2


def test_unknown_subject_is_a_named_error_with_the_registry_code(registry):
    with pytest.raises(SchemaRegistryError) as raised:
        registry.versions("no-such-subject")
    assert (raised.value.status, raised.value.error_code) == (404, 40401)


def test_credentials_never_appear_in_the_repr():
    client = SchemaRegistryClient("https://registry.example", username="svc-iot", password="s3cr3t-value")
    assert "s3cr3t-value" not in repr(client) and "svc-iot" not in repr(client)
