"""A password never leaves the config layer in clear: not in an exception, not in a repr, not after a merge.

First the two ways it used to leak, each as it happened (a literal password with ``{{`` echoed by the
loaders; redaction lost by ``props | {...}`` and ``copy()``), then the property that closes the class:
for any password, every loader and builder keeps it out of every message and every repr.
"""
from __future__ import annotations

from functools import partial

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafka_auth_patterns import (
    ClientProperties,
    ConfigValidationError,
    EnvironmentSecretProvider,
    client_config_from_dict,
    jaas_config,
    java_client_properties,
    kafka_python_kwargs,
    librdkafka_properties,
    load_client_config,
    spark_kafka_options,
)

BRACED_PASSWORD = "Zx{{9-Kq77-plant-z"  # an ordinary generated password that happens to hold "{{"


def sasl_document(password: object, mechanism: str = "SCRAM-SHA-512") -> dict:
    return {
        "bootstrap_servers": ["broker-1.plant-a.example:9093"],
        "security_protocol": "SASL_SSL",
        "sasl": {"mechanism": mechanism, "username": "iot-app", "password": password},
        "tls": {"ca_file": "/etc/kafka/plant-a-ca.pem"},
    }


def referenced_config(password: str, mechanism: str = "SCRAM-SHA-512"):
    """The documented way: the YAML holds a reference, the provider holds the password."""
    provider = EnvironmentSecretProvider({"KAFKA_PW": password})
    return client_config_from_dict(sasl_document("{{secrets/kafka/pw}}", mechanism), provider)


def test_a_literal_password_with_braces_is_rejected_without_being_echoed_by_client_config_from_dict():
    provider = EnvironmentSecretProvider({})

    with pytest.raises(ConfigValidationError) as raised:
        client_config_from_dict(sasl_document(BRACED_PASSWORD), provider)

    assert "sasl.password: expected a whole value of the form {{secrets/<scope>/<key>}}" in str(raised.value)
    assert "Zx" not in str(raised.value) and "plant-z" not in str(raised.value)


def test_a_literal_password_with_braces_is_rejected_without_being_echoed_by_load_client_config(tmp_path):
    path = tmp_path / "client.yaml"
    path.write_text(yaml.safe_dump(sasl_document(BRACED_PASSWORD)))

    with pytest.raises(ConfigValidationError) as raised:
        load_client_config(path, EnvironmentSecretProvider({}))

    assert str(raised.value).startswith(f"{path}: sasl.password: expected a whole value")
    assert "Zx" not in str(raised.value) and "plant-z" not in str(raised.value)


def test_a_literal_password_with_braces_still_works_without_a_provider():
    """Without a provider nothing is resolved, so a literal password is taken as it is (and redacted)."""
    config = client_config_from_dict(sasl_document(BRACED_PASSWORD))

    assert config.sasl.password.reveal() == BRACED_PASSWORD
    assert BRACED_PASSWORD not in repr(config)


def test_the_documented_merge_idioms_keep_the_password_redacted():
    properties = librdkafka_properties(referenced_config(BRACED_PASSWORD))

    merged = [
        properties | {"group.id": "line-7-historian"},  # what the librdkafka_properties docstring shows
        {"group.id": "line-7-historian"} | properties,
        properties.copy(),
        ClientProperties(properties, **{"group.id": "line-7-historian"}),
    ]
    in_place = librdkafka_properties(referenced_config(BRACED_PASSWORD))
    in_place |= {"group.id": "line-7-historian"}

    for result in [*merged, in_place]:
        assert isinstance(result, ClientProperties)
        assert result["sasl.password"] == BRACED_PASSWORD  # still usable by the client library
        assert BRACED_PASSWORD not in repr(result) and BRACED_PASSWORD not in str(result)
    assert merged[0]["group.id"] == "line-7-historian"


def test_unpacking_into_a_plain_dict_is_where_redaction_ends():
    """``{**props}`` and ``dict(props)`` build a plain dict; the docs say to merge with ``|`` instead."""
    properties = librdkafka_properties(referenced_config(BRACED_PASSWORD))

    assert BRACED_PASSWORD in repr({**properties}) and BRACED_PASSWORD in repr(dict(properties))
    assert 'librdkafka_properties(config) | {"group.id": "g"}' in librdkafka_properties.__doc__


# Passwords of every awkward shape: braces, quotes, backslashes, line breaks, YAML and JAAS syntax, unicode.
AWKWARD_PIECES = [*"{}\"'\\\n\r\t;=:#&*!|>%@`$ ", "{{", "}}", "{{secrets/", "é", "ß", "設", "🔑"]
PASSWORDS = st.lists(
    st.one_of(st.sampled_from(AWKWARD_PIECES), st.text(min_size=1, max_size=4)), min_size=4, max_size=24
).map("".join).filter(
    # at least 8 visible characters, and not a piece of the reference syntax the messages quote
    lambda password: len(password.strip()) >= 8 and password.strip() not in "{{secrets/<scope>/<key>}}"
)

BUILDERS = [kafka_python_kwargs, librdkafka_properties, java_client_properties, spark_kafka_options]


def texts_of_a_config(config) -> list[str]:
    """Every repr and message the builders produce for one loaded config, merged the documented ways too."""
    texts = [repr(config), str(config), repr(config.sasl), f"{config.sasl.password}"]
    for build in BUILDERS:
        try:
            properties = build(config)
        except Exception as error:  # noqa: BLE001 - every exception text is something someone will read
            texts += [str(error), repr(error)]
            continue
        texts += [repr(properties), str(properties), repr(properties | {"group.id": "g"}),
                  repr({"group.id": "g"} | properties), repr(properties.copy())]
    try:
        texts += [repr(jaas_config(config)), str(jaas_config(config, shaded=True))]
    except Exception as error:  # noqa: BLE001
        texts += [str(error), repr(error)]
    return texts


def texts_the_folder_shows(password: str, directory) -> list[str]:
    """Every message and repr the loaders and builders produce for ``password`` placed in each way."""
    documents = [
        (sasl_document(password), EnvironmentSecretProvider({})),  # literal password, with a provider
        (sasl_document(password), None),  # literal password, no provider
        (sasl_document("{{secrets/kafka/pw}}"), EnvironmentSecretProvider({"KAFKA_PW": password})),  # reference
        (sasl_document(password, mechanism="SCRAM-SHA-513"), None),  # a bad value beside the password
        ({**sasl_document(password), "sasl_mechansim": "PLAIN"}, None),  # a typo beside the password
    ]
    texts: list[str] = []
    for index, (document, provider) in enumerate(documents):
        path = directory / f"client-{index}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        broken = directory / f"broken-{index}.yaml"  # hand-written YAML that does not parse
        broken.write_text(f"sasl:\n  password: {password}\n  mechanism: [\n", encoding="utf-8")
        loads = [partial(client_config_from_dict, document, provider), partial(load_client_config, path, provider),
                 partial(load_client_config, broken, provider)]
        for load in loads:
            try:
                texts += texts_of_a_config(load())
            except Exception as error:  # noqa: BLE001
                texts += [str(error), repr(error)]
    return texts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=PASSWORDS)
def test_no_loader_or_builder_ever_shows_a_password(password, tmp_path_factory):
    texts = texts_the_folder_shows(password, tmp_path_factory.mktemp("configs"))

    leaked = [text for text in texts if password in text or password.strip() in text]
    assert not leaked, f"{len(leaked)} texts hold the password"
