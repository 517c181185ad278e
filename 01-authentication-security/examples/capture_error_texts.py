"""Capture the exact error texts of the Java client, librdkafka and kafka-python for each failure scenario.

Run it (about 2-3 minutes: it starts four real brokers)::

    cd 01-authentication-security && ../.venv/bin/python examples/capture_error_texts.py docs/common-errors.md

It writes the Markdown page given as argument (default: print to stdout). Every password used is
checked to be absent from the captured texts before anything is written.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files
from catalog_tools.jars import jar_files
from catalog_tools.kafka_broker import BrokerSettings, KafkaBroker, KafkaUser, free_port, generated_user, start_broker
from catalog_tools.kafka_io import create_topic
from kafka_auth_patterns.config import KafkaClientConfig, client_config_from_dict
from kafka_auth_patterns.diagnoser import diagnose_connection
from kafka_auth_patterns.dialects import java_client_properties, kafka_python_kwargs, librdkafka_properties
from kafka_auth_patterns.secrets import Secret

JAVA_PROBE = Path(__file__).resolve().parent / "java" / "JavaClientProbe.java"
MAX_LINES_PER_CLIENT = 4


@dataclass
class Scenario:
    name: str
    description: str
    config: KafkaClientConfig
    topic: str | None = None
    admin: KafkaClientConfig | None = None


def make_config(bootstrap: str, user: str | None, password: str, mechanism: str = "SCRAM-SHA-512",
                protocol: str = "SASL_SSL", ca_file: Path | None = None) -> KafkaClientConfig:
    document: dict[str, Any] = {"bootstrap_servers": bootstrap, "security_protocol": protocol}
    if user:
        document["sasl"] = {"mechanism": mechanism, "username": user, "password": Secret(password)}
    if ca_file and protocol.endswith("SSL"):
        document["tls"] = {"ca_file": str(ca_file)}
    return client_config_from_dict(document)


def java_properties_file(config: KafkaClientConfig, folder: Path) -> Path:
    """Write a .properties file; backslashes are escaped because Properties.load() unescapes them."""
    path = folder / "client.properties"
    properties = java_client_properties(config).items()
    lines = [f"{key}={str(value).replace(chr(92), chr(92) * 2)}" for key, value in properties]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


JAVA_LOG4J2 = """\
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = LOG %p %m%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = out
"""


def java_client_error(config: KafkaClientConfig, topic: str | None, folder: Path) -> str:
    """Run the Java probe; return its WARN/ERROR log lines and exception chain (first lines, deduplicated)."""
    wanted = ("kafka-clients", "slf4j", "log4j", "lz4", "snappy", "zstd")
    classpath = os.pathsep.join(str(j) for j in jar_files("kafka") if j.name.startswith(wanted))
    log_config = folder / "log4j2.properties"
    log_config.write_text(JAVA_LOG4J2)
    command = ["java", f"-Dlog4j2.configurationFile={log_config}", "-cp", classpath, str(JAVA_PROBE),
               str(java_properties_file(config, folder))]
    result = subprocess.run(command + ([topic] if topic else []), capture_output=True, text=True, timeout=120)
    logged = [line[4:].split("] ", 1)[-1] for line in result.stdout.splitlines() if line.startswith("LOG ")]
    chain = [line for line in result.stdout.splitlines() if line.strip() and not line.startswith("LOG ")]
    unique = list(dict.fromkeys(logged))[:MAX_LINES_PER_CLIENT] + chain[-2:]
    return "\n".join(unique) or result.stderr.strip()[-800:]


def librdkafka_error(config: KafkaClientConfig, topic: str | None) -> str:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    errors: list[str] = []
    logger = logging.getLogger("capture.librdkafka")
    logger.propagate = False
    handler = logging.Handler()
    handler.emit = lambda record: errors.append(record.getMessage().split("]: ", 1)[-1])  # type: ignore[method-assign]
    logger.handlers = [handler]
    props = librdkafka_properties(config) | {"error_cb": lambda error: errors.append(str(error)),
                                              "socket.timeout.ms": 5000, "logger": logger}
    admin = AdminClient(props)
    try:
        metadata = admin.list_topics(topic=topic, timeout=6)
        if topic and metadata.topics[topic].error is not None:
            errors.append(f"topic error: {metadata.topics[topic].error}")
    except KafkaException as error:
        errors.append(f"KafkaException: {error}")
    finally:
        admin.poll(0.5)  # delivers queued log lines to the logger
    if not errors:
        return "OK"
    unique = sorted(dict.fromkeys(errors), key=lambda line: line.startswith("KafkaException"))
    return "\n".join(unique[:MAX_LINES_PER_CLIENT])


def kafka_python_error(config: KafkaClientConfig, topic: str | None) -> str:
    from kafka import KafkaAdminClient

    captured: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: captured.append(record.getMessage().split(">: ", 1)[-1])  # type: ignore[method-assign]
    logging.getLogger("kafka").addHandler(handler)
    try:
        admin = KafkaAdminClient(request_timeout_ms=5000, api_version_auto_timeout_ms=5000,
                                 **kafka_python_kwargs(config))
        try:
            described = admin.describe_topics([topic]) if topic else None
            if described and described[0]["error_code"]:
                captured.append(f"describe_topics error_code {described[0]['error_code']}")
        finally:
            admin.close()
    except Exception as error:  # noqa: BLE001 - we want whatever the client raises, by name
        captured.append(f"{type(error).__module__}.{type(error).__name__}: {error}")
    finally:
        logging.getLogger("kafka").removeHandler(handler)
    unique = list(dict.fromkeys(captured))
    return "\n".join(unique[-MAX_LINES_PER_CLIENT:]) if unique else "OK"


def start_brokers(work: Path) -> dict[str, KafkaBroker]:
    plant_a = generate_ca("Plant A CA")
    wrong_host = write_tls_files(work / "wrong-host-tls", plant_a,
                                 issue_certificate(plant_a, ["kafka-1.plant-a.example"]),
                                 keystore_password="keystore-pass")
    month_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    old_ca = generate_ca("Plant A CA", valid_days=365, valid_from=month_ago)
    expired = write_tls_files(work / "expired-tls", old_ca,
                              issue_certificate(old_ca, ["localhost"], ["127.0.0.1"], valid_days=7,
                                                valid_from=month_ago),
                              keystore_password="keystore-pass")
    secured = BrokerSettings(
        users=[generated_user("admin"), generated_user("iot-app", ("SCRAM-SHA-512", "SCRAM-SHA-256")),
               KafkaUser("quality-lab", Secret.__name__ + "-lab-pass-1", ("SCRAM-SHA-512",))],
        sasl_mechanisms=("SCRAM-SHA-512", "SCRAM-SHA-256"), authorizer=True)
    return {
        "default": start_broker(work / "default"),
        "secured": start_broker(work / "secured", secured),
        "wrong_host": start_broker(work / "wrong-host",
                                   BrokerSettings(tls_files=wrong_host, sasl_mechanisms=("PLAIN",))),
        "expired": start_broker(work / "expired", BrokerSettings(tls_files=expired, sasl_mechanisms=("PLAIN",))),
    }


def scenarios(brokers: dict[str, KafkaBroker], work: Path) -> list[Scenario]:
    default, secured = brokers["default"], brokers["secured"]
    other_ca = work / "plant-b-ca.pem"
    other_ca.write_bytes(generate_ca("Plant B CA").certificate_pem())
    create_topic("plant-a.quality.v1", secured.client_config())

    def on(broker: KafkaBroker, user: str = "iot-app", password: str | None = None, **kwargs: Any) -> KafkaClientConfig:
        bootstrap = kwargs.pop("bootstrap", broker.sasl_ssl_bootstrap)
        secret = password if password is not None else broker.user(user).password
        return make_config(bootstrap, user, secret, ca_file=kwargs.pop("ca_file", broker.ca_file), **kwargs)

    admin = on(secured, "admin")
    return [
        Scenario("wrong_password", "SCRAM-SHA-512 with a wrong password", on(secured, password="old-password"),
                 admin=admin),
        Scenario("unknown_user", "a user name the broker does not know", on(secured, "iot-ap", "x"), admin=admin),
        Scenario("scram_credentials_missing_for_mechanism", "user has SCRAM-SHA-512 only, client uses SCRAM-SHA-256",
                 on(secured, "quality-lab", mechanism="SCRAM-SHA-256"), admin=admin),
        Scenario("mechanism_not_enabled", "PLAIN against a broker that enables only SCRAM", on(secured,
                 mechanism="PLAIN")),
        Scenario("plaintext_client_to_tls_listener", "SASL_PLAINTEXT client to the SASL_SSL port",
                 on(default, protocol="SASL_PLAINTEXT")),
        Scenario("ca_not_configured", "no CA configured (system trust store only)", on(default, ca_file=None)),
        Scenario("wrong_ca", "CA file of another plant", on(default, ca_file=other_ca)),
        Scenario("hostname_mismatch", "certificate SAN is kafka-1.plant-a.example, client uses localhost",
                 on(brokers["wrong_host"], mechanism="PLAIN")),
        Scenario("certificate_expired", "broker certificate expired 23 days ago", on(brokers["expired"],
                 mechanism="PLAIN")),
        Scenario("connection_refused", "nothing listens on the port",
                 on(default, bootstrap=f"localhost:{free_port()}")),
        Scenario("dns_unresolvable", "host name does not resolve",
                 on(default, bootstrap="kafka-1.plant-a.invalid:9093")),
        Scenario("topic_authorization_failed", "authenticated, no ACL on the topic", on(secured),
                 topic="plant-a.quality.v1"),
    ]


def normalized(text: str) -> str:
    """Replace what varies per run (ports, elapsed ms) with placeholders, then drop repeated lines."""
    text = re.sub(r"(localhost|127\.0\.0\.1):\d+", r"\1:<port>", text)
    text = re.sub(r"after \d+ms", "after <n>ms", text)
    return "\n".join(dict.fromkeys(text.splitlines()))


def capture(scenario: Scenario, work: Path) -> dict[str, str]:
    diagnosis = diagnose_connection(scenario.config, topic=scenario.topic, admin_config=scenario.admin)
    return {
        "diagnosed": diagnosis.cause.name if diagnosis.cause else "ok",
        "seconds": f"{diagnosis.seconds:.2f}",
        "java": normalized(java_client_error(scenario.config, scenario.topic, work)),
        "librdkafka": normalized(librdkafka_error(scenario.config, scenario.topic)),
        "kafka-python": normalized(kafka_python_error(scenario.config, scenario.topic)),
    }


def render(rows: list[tuple[Scenario, dict[str, str]]]) -> str:
    from confluent_kafka import libversion
    from kafka import __version__ as kafka_python_version

    lines = [
        "# Common errors, as each client prints them",
        "",
        "Generated by `examples/capture_error_texts.py` from real runs against the embedded Kafka 4.1.1 broker",
        f"on {dt.date.today():%Y-%m-%d}: Java client kafka-clients 4.1.1 (what Spark's Kafka source uses),",
        f"librdkafka {libversion()[0]} (confluent-kafka), kafka-python {kafka_python_version}. Each heading is the",
        "cause name the diagnoser reports; the fix is in [auth-failure-playbook.md](auth-failure-playbook.md).",
        "Ports and elapsed milliseconds vary per run and are shown as `<port>` and `<n>`; repeated lines are",
        "shown once. The diagnoser timings are from this one capture run; the measured ones are in",
        "`benchmarks/results/diagnosis_latency.md`.",
        "",
    ]
    for scenario, captured in rows:
        lines += [f"## {scenario.name}", "", f"Scenario: {scenario.description}. Diagnoser: `{captured['diagnosed']}` "
                  f"in {captured['seconds']} s.", ""]
        for client in ("java", "librdkafka", "kafka-python"):
            lines += [f"**{client}**", "", "```text", captured[client] or "(no error text)", "```", ""]
    return "\n".join(lines)


def check_no_secrets(text: str, brokers: dict[str, KafkaBroker]) -> None:
    for broker in brokers.values():
        for user in broker.settings.users:
            if user.password in text:
                raise AssertionError(f"expected no password in the captured texts, found {user.name}'s")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        brokers = start_brokers(work)
        try:
            rows = [(scenario, capture(scenario, work)) for scenario in scenarios(brokers, work)]
        finally:
            for broker in brokers.values():
                broker.stop()
        page = render(rows)
        check_no_secrets(page, brokers)
    if argv:
        Path(argv[0]).write_text(page)
        print(f"wrote {argv[0]} ({len(rows)} scenarios)")
    else:
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
