"""Layered connection diagnosis: DNS, TCP, TLS, SASL mechanisms, authentication, metadata, topic access.

Layers run in order and stop at the first failure, whose cause is named (see causes.py) with the
playbook's fix. Nothing secret is ever put in a result: error texts come from the broker and the
TLS library, and passwords stay inside :class:`~kafka_auth_patterns.secrets.Secret`.

Example::

    >>> config = load_client_config("client.yaml", provider)  # doctest: +SKIP
    >>> diagnosis = diagnose_connection(config, topic="plant.sensor-readings.v1")  # doctest: +SKIP
    >>> diagnosis.cause.name if diagnosis.cause else "ok"  # doctest: +SKIP
    'wrong_ca'
    >>> print(diagnosis.report())  # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from kafka_auth_patterns.causes import Cause, cause
from kafka_auth_patterns.config import KafkaClientConfig
from kafka_auth_patterns.dialects import kafka_python_kwargs
from kafka_auth_patterns.kafka_checks import (
    ScramLookupError,
    check_authentication,
    check_metadata_and_topic,
    check_sasl_mechanisms,
    scram_mechanisms_of_user,
)
from kafka_auth_patterns.network_checks import (
    CheckResult,
    check_dns,
    check_listener_is_not_tls,
    check_tcp,
    check_tls,
)

LAYERS = ("dns", "tcp", "tls", "sasl_mechanisms", "authentication", "metadata", "topic_access")


@dataclass
class Diagnosis:
    """All checks that ran, the named cause of the first failure (None when everything passed)."""

    target: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed_check(self) -> CheckResult | None:
        return next((check for check in self.checks if not check.ok), None)

    @property
    def cause(self) -> Cause | None:
        failed = self.failed_check
        return cause(failed.cause) if failed and failed.cause else None

    def report(self) -> str:
        """A readable report: one line per layer, then the cause and the fix."""
        lines = [f"Kafka connection diagnosis for {self.target}"]
        ran = {check.layer: check for check in self.checks}
        for layer in LAYERS:
            check = ran.get(layer)
            if check is None:
                lines.append(f"  [ -- ] {layer:<16} not run")
                continue
            status = " ok " if check.ok else "FAIL"
            lines.append(f"  [{status}] {layer:<16} {check.detail} ({check.seconds:.2f}s)")
            if not check.ok and check.error_text:
                lines.append(f"         {'':<16} error: {check.error_text}")
        found = self.cause
        if found is None:
            lines.append(f"Result: OK in {self.seconds:.2f}s")
        else:
            lines += [
                f"Result: FAILED in {self.seconds:.2f}s",
                f"Cause:  {found.name} - {found.summary}",
                f"Fix:    {found.fix}",
                f"See:    docs/auth-failure-playbook.md#{found.name}",
            ]
        return "\n".join(lines)


def _split(server: str) -> tuple[str, int]:
    host, _, port = server.rpartition(":")
    return host.strip("[]"), int(port)


def _refine_authentication_failure(
    failed: CheckResult, config: KafkaClientConfig, admin_config: KafkaClientConfig, timeout_s: float
) -> CheckResult:
    sasl = config.sasl
    if sasl is None or not sasl.mechanism.startswith("SCRAM-"):
        return failed
    host, port = _split(admin_config.bootstrap_servers[0])
    try:
        mechanisms = scram_mechanisms_of_user(host, port, kafka_python_kwargs(admin_config), sasl.username, timeout_s)
    except ScramLookupError as error:
        return CheckResult(
            failed.layer, False, f"{failed.detail}; SCRAM lookup with the admin config failed: {error}",
            failed.seconds, failed.cause, failed.error_text,
        )
    if mechanisms is None:
        name, seen = "unknown_user", f"the broker has no SCRAM credentials for user {sasl.username!r}"
    elif sasl.mechanism not in mechanisms:
        name, seen = (
            "scram_credentials_missing_for_mechanism",
            f"user {sasl.username!r} has credentials for {mechanisms}, the client uses {sasl.mechanism}",
        )
    else:
        name, seen = "wrong_password", f"user {sasl.username!r} has a {sasl.mechanism} credential; the password differs"
    return CheckResult(failed.layer, False, seen, failed.seconds, name, failed.error_text)


def diagnose_connection(
    config: KafkaClientConfig,
    topic: str | None = None,
    admin_config: KafkaClientConfig | None = None,
    timeout_s: float = 5.0,
) -> Diagnosis:
    """Run the layers against the first bootstrap server and return a :class:`Diagnosis`.

    ``admin_config`` (a super user's config) lets an authentication failure be split into
    ``wrong_password``, ``unknown_user`` and ``scram_credentials_missing_for_mechanism``.

    Example::

        >>> diagnose_connection(config, topic="plant.sensor-readings.v1").ok  # doctest: +SKIP
        True
    """
    if not isinstance(config, KafkaClientConfig):
        raise TypeError(f"expected a KafkaClientConfig, got {type(config).__name__}")
    if timeout_s <= 0:
        raise ValueError(f"expected timeout_s > 0, got {timeout_s}")
    started = time.monotonic()
    host, port = _split(config.bootstrap_servers[0])
    diagnosis = Diagnosis(target=f"{host}:{port} ({config.security_protocol}"
                          + (f", {config.sasl.mechanism} as {config.sasl.username})" if config.sasl else ")"))

    def run(check: CheckResult) -> bool:
        diagnosis.checks.append(check)
        return check.ok

    try:
        if not (run(check_dns(host, port)) and run(check_tcp(host, port, timeout_s))):
            return diagnosis
        tls_check = (
            check_tls(host, port, config.tls.ca_file, config.tls.check_hostname, timeout_s)
            if config.uses_tls
            else check_listener_is_not_tls(host, port, min(timeout_s, 3.0))
        )
        if not run(tls_check):
            return diagnosis
        if config.sasl is not None:
            if not run(check_sasl_mechanisms(host, port, config.uses_tls, config.sasl.mechanism, timeout_s)):
                return diagnosis
            kwargs = kafka_python_kwargs(config)
            auth = check_authentication(host, port, kwargs, timeout_s)
            if not auth.ok and auth.cause == "authentication_failed" and admin_config is not None:
                auth = _refine_authentication_failure(auth, config, admin_config, timeout_s)
            if not run(auth):
                return diagnosis
        for check in check_metadata_and_topic(kafka_python_kwargs(config), topic, timeout_s):
            if not run(check):
                return diagnosis
        return diagnosis
    finally:
        diagnosis.seconds = round(time.monotonic() - started, 3)
