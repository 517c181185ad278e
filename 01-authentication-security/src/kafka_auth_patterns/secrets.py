"""Secret values that redact themselves, and providers that fetch them.

A :class:`Secret` never shows its value in ``repr``, ``str``, f-strings, logging or pickling
errors; code that really needs the value calls :meth:`Secret.reveal`. Providers read secrets
from environment variables, files (Kubernetes / Docker secret mounts) or Databricks secret
scopes (``dbutils.secrets``), and :func:`resolve_secret_references` replaces
``{{secrets/<scope>/<key>}}`` references inside a loaded YAML document.

Example::

    >>> password = Secret("s3cr3t")
    >>> password
    Secret('***')
    >>> password.reveal()
    's3cr3t'
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

REDACTED = "***"
SECRET_REFERENCE = re.compile(r"\{\{\s*secrets/([A-Za-z0-9_.\-]+)/([A-Za-z0-9_.\-]+)\s*\}\}")


class SecretNotFoundError(LookupError):
    """A provider has no value for the requested scope/key. The message never holds a value."""


class SecretReferenceError(ValueError):
    """A ``{{secrets/...}}`` reference is malformed or mixed with other text. The message never holds the value."""


class Secret:
    """A string that redacts itself everywhere except :meth:`reveal`.

    Example::

        >>> f"password={Secret('x')}"
        'password=***'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"expected the secret value to be a str, got {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """Return the real value; call it only where a client library needs it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, format_spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled; pass the provider reference instead")


class SecretProvider(Protocol):
    """Anything that returns a :class:`Secret` for a scope and a key."""

    def get(self, scope: str, key: str) -> Secret: ...


class EnvironmentSecretProvider:
    """Reads ``{{secrets/<scope>/<key>}}`` from the environment variable ``<SCOPE>_<KEY>``.

    Scope and key are upper-cased and every character outside ``A-Z0-9`` becomes ``_``, so
    ``{{secrets/kafka-prod/iot-app-password}}`` reads ``KAFKA_PROD_IOT_APP_PASSWORD``.

    Example::

        >>> provider = EnvironmentSecretProvider({"KAFKA_PROD_PASSWORD": "x"})
        >>> provider.get("kafka-prod", "password")
        Secret('***')
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    @staticmethod
    def variable_name(scope: str, key: str) -> str:
        return re.sub(r"[^A-Z0-9]", "_", f"{scope}_{key}".upper())

    def get(self, scope: str, key: str) -> Secret:
        name = self.variable_name(scope, key)
        if name not in self._environ:
            raise SecretNotFoundError(
                f"expected environment variable {name} for secrets/{scope}/{key}, it is not set"
            )
        return Secret(self._environ[name])


class FileSecretProvider:
    """Reads ``<root>/<scope>/<key>`` (one file per secret, trailing newline stripped).

    This is the layout of Kubernetes secret volumes and Docker secrets.

    Example::

        >>> FileSecretProvider("/run/secrets").get("kafka-prod", "password")  # doctest: +SKIP
        Secret('***')
    """

    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    def get(self, scope: str, key: str) -> Secret:
        path = self._root / scope / key
        if not path.is_file():
            raise SecretNotFoundError(f"expected a secret file at {path} for secrets/{scope}/{key}, found none")
        return Secret(path.read_text(encoding="utf-8").rstrip("\r\n"))


class DatabricksSecretProvider:
    """Reads Databricks secret scopes through ``dbutils.secrets.get(scope, key)``.

    Pass the notebook's or job's ``dbutils``. Databricks already redacts secret values in
    notebook output; wrapping them in :class:`Secret` keeps them redacted in your own logs too.

    Example::

        >>> provider = DatabricksSecretProvider(dbutils)  # doctest: +SKIP
        >>> provider.get("kafka-prod", "iot-app-password")  # doctest: +SKIP
        Secret('***')
    """

    def __init__(self, dbutils: Any) -> None:
        if not hasattr(dbutils, "secrets") or not hasattr(dbutils.secrets, "get"):
            raise TypeError(
                f"expected a Databricks dbutils object with secrets.get, got {type(dbutils).__name__}"
            )
        self._dbutils = dbutils

    def get(self, scope: str, key: str) -> Secret:
        try:
            value = self._dbutils.secrets.get(scope=scope, key=key)
        except Exception as error:  # dbutils raises py4j / IllegalArgumentException wrappers
            raise SecretNotFoundError(
                f"expected dbutils.secrets.get(scope={scope!r}, key={key!r}) to return a value, "
                f"it raised {type(error).__name__}"
            ) from None
        return Secret(value)


class ChainSecretProvider:
    """Tries each provider in order and returns the first value found.

    Example::

        >>> provider = ChainSecretProvider([EnvironmentSecretProvider(), FileSecretProvider("/run/secrets")])
    """

    def __init__(self, providers: list[SecretProvider]) -> None:
        if not providers:
            raise ValueError("expected at least one secret provider, got none")
        self._providers = providers

    def get(self, scope: str, key: str) -> Secret:
        misses = []
        for provider in self._providers:
            try:
                return provider.get(scope, key)
            except SecretNotFoundError as miss:
                misses.append(str(miss))
        raise SecretNotFoundError(f"expected one provider to hold secrets/{scope}/{key}, none did: {misses}")


def running_on_databricks(environ: Mapping[str, str] | None = None) -> bool:
    """True inside a Databricks cluster or serverless compute (the runtime sets this variable)."""
    return "DATABRICKS_RUNTIME_VERSION" in (os.environ if environ is None else environ)


def resolve_secret_references(document: Any, provider: SecretProvider, path: str = "") -> Any:
    """Return ``document`` with every ``{{secrets/<scope>/<key>}}`` string replaced by a Secret.

    A reference must be the whole value: ``"{{secrets/kafka/password}}"`` is resolved,
    ``"prefix-{{secrets/kafka/password}}"`` raises :class:`SecretReferenceError`, because a
    half-secret string could not be redacted.

    Example::

        >>> resolve_secret_references({"password": "{{secrets/kafka/pw}}"},
        ...                           EnvironmentSecretProvider({"KAFKA_PW": "x"}))
        {'password': Secret('***')}
    """
    if isinstance(document, dict):
        return {
            key: resolve_secret_references(value, provider, f"{path}.{key}" if path else str(key))
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [resolve_secret_references(value, provider, f"{path}[{i}]") for i, value in enumerate(document)]
    if isinstance(document, str) and "{{" in document:
        match = SECRET_REFERENCE.fullmatch(document.strip())
        if match is None:
            # Never echo the value: a literal password may contain "{{" (Zx{{9-Kq77 is an ordinary password).
            raise SecretReferenceError(
                f"{path}: expected a whole value of the form {{{{secrets/<scope>/<key>}}}}, got a value of "
                f"{len(document)} characters that holds '{{{{' but is not one reference (value not shown; "
                "keep a literal password in a secret store and reference it)"
            )
        return provider.get(match.group(1), match.group(2))
    return document
