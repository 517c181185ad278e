"""Load ``application.conf`` + ``<env>.conf`` + ``machine.conf`` into typed settings, with clear errors.

The files merge in that order (later wins); ``machine.conf`` holds ``${?ENV_VAR}`` substitutions.
Missing keys, wrong types, unknown keys and secrets written as values are named errors that give
the key's path, the expected and the actual type (never a secret's value).

Example::

    settings = load_settings(Path("hocon-configurations"), "prod")
    settings.databricks.catalog   # 'iot_prod'
"""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

from pyhocon import ConfigFactory, ConfigTree

from databricks_bundle_deployment.configuration.settings import IotSettings, SecretRef
from databricks_bundle_deployment.findings import BundleError

ENVIRONMENTS = ("dev", "qa", "prod")


class ConfigError(BundleError):
    """Base class of configuration errors; the message names the key path."""


class MissingKeyError(ConfigError):
    def __init__(self, path: str, expected: str):
        super().__init__(f"{path}: expected {expected}, found no value")


class WrongTypeError(ConfigError):
    def __init__(self, path: str, expected: str, actual: str):
        super().__init__(f"{path}: expected {expected}, found {actual}")


class UnknownKeyError(ConfigError):
    def __init__(self, path: str, known: list[str]):
        super().__init__(f"{path}: expected one of {known}, found an unknown key")


class SecretValueError(ConfigError):
    def __init__(self, path: str):
        super().__init__(f"{path}: expected a secret reference {{ scope = ..., key = ... }}, "
                         "found a literal value (not shown)")


class UnknownEnvironmentError(ConfigError):
    def __init__(self, environment: str):
        super().__init__(f"environment: expected one of {list(ENVIRONMENTS)}, found {environment!r}")


def merged_tree(config_dir: Path, environment: str) -> ConfigTree:
    """``machine.conf`` over ``<environment>.conf`` over ``application.conf``."""
    if environment not in ENVIRONMENTS:
        raise UnknownEnvironmentError(environment)
    tree = ConfigFactory.parse_file(str(Path(config_dir) / "application.conf"))
    for name in (f"{environment}.conf", "machine.conf"):
        path = Path(config_dir) / name
        if path.exists():
            tree = ConfigFactory.parse_file(str(path)).with_fallback(tree)
    return tree


def _type_name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def _convert(kind: Any, value: Any, path: str) -> Any:
    if kind is SecretRef:
        if not isinstance(value, ConfigTree | dict):
            raise SecretValueError(path)
        return _build(SecretRef, value, path)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, ConfigTree | dict):
            raise WrongTypeError(path, f"a section ({kind.__name__})", type(value).__name__)
        return _build(kind, value, path)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise WrongTypeError(path, "int", f"{type(value).__name__} {value!r}")
    if kind is str and not isinstance(value, str):
        raise WrongTypeError(path, "str", type(value).__name__)
    return value


def _build(cls: Any, tree: Any, prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    for key in tree:
        if key not in known:
            raise UnknownKeyError(f"{prefix}.{key}", known)
    values = {}
    for name in known:
        path = f"{prefix}.{name}"
        kind = hints[name]
        if isinstance(kind, types.UnionType):
            kind = next(k for k in typing.get_args(kind) if k is not type(None))
        if name not in tree or tree[name] is None:
            raise MissingKeyError(path, _type_name(kind))
        values[name] = _convert(kind, tree[name], path)
    return cls(**values)


def load_settings(config_dir: Path, environment: str) -> IotSettings:
    """The typed settings of ``environment``; raises a ``ConfigError`` subclass on any problem."""
    tree = merged_tree(config_dir, environment)
    if "iot" not in tree:
        raise MissingKeyError("iot", "the iot section")
    return _build(IotSettings, tree["iot"], "iot")
