"""Per-environment pipeline settings (dev, qa, prod YAML), loaded and validated before any work.

Secrets never live in the YAML: the file names the environment variables that hold the Kafka
user and password, and :func:`kafka_credentials_from_env` reads them at run time.

Example::

    >>> config = load_environment_config("dev", overrides={"storage": {"root": "/tmp/iot"}})
    >>> config.kafka.topic
    'plant.sensor-readings.v1'
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from iot_streaming_pipeline.errors import InvalidPipelineConfigError, MissingKafkaCredentialsError

ENVIRONMENTS = ("dev", "qa", "prod")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
STARTING_OFFSETS = ("earliest", "latest")
SILVER_SOURCES = ("kafka", "bronze")
EXTENSION_TYPES = ("string", "double", "long")
METRICS = ("temperature_c", "vibration_mm_s", "pressure_bar", "spindle_speed_rpm")
INTERVAL_PATTERN = re.compile(r"^\d+ (second|seconds|minute|minutes)$")


@dataclass(frozen=True)
class KafkaSettings:
    """Where the events come from and how to authenticate (secrets by env-var name only)."""

    bootstrap_servers: str
    topic: str
    security_protocol: str
    sasl_mechanism: str
    username_env: str
    password_env: str
    truststore_pem_path: str
    starting_offsets: str
    max_offsets_per_trigger: int
    fail_on_data_loss: bool


@dataclass(frozen=True)
class StreamingSettings:
    """Trigger, lateness and deduplication horizons, and where silver reads from.

    ``silver_source``: ``kafka`` (silver reads the topic beside bronze: bronze's micro-batch is not
    on the produce-to-silver path) or ``bronze`` (silver reads the bronze table: one Kafka read, and
    silver is always rebuilt the way it was built). ``bronze_trigger_interval`` (optional in the
    YAML, default ``trigger_interval``): with silver reading Kafka, a longer bronze interval only
    makes the raw archive less fresh, and bronze pays its fixed per-batch cost less often on the
    cores silver shares (``max_offsets_per_trigger`` must then admit a whole interval's events).
    """

    trigger_interval: str
    allowed_lateness_seconds: int
    dedup_horizon_seconds: int
    gold_window: str
    silver_source: str
    bronze_trigger_interval: str


@dataclass(frozen=True)
class PipelineConfig:
    """Everything one environment's pipeline needs; build it with :func:`load_pipeline_config`."""

    environment: str
    kafka: KafkaSettings
    storage_root: str
    streaming: StreamingSettings
    metric_ranges: dict[str, tuple[float, float]]
    extension_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KafkaCredentials:
    """A SASL user; the password is never shown in ``repr`` or logs."""

    username: str
    password: str = field(repr=False)


def _deep_merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _require(section: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in section:
        raise InvalidPipelineConfigError(f"{where}.{key}: expected a value, found none")
    value = section[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InvalidPipelineConfigError(f"{where}.{key}: expected {expected}, got {value!r}")
    return value


def _one_of(value: str, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise InvalidPipelineConfigError(f"{where}: expected one of {list(allowed)}, got {value!r}")
    return value


def _interval(value: str, where: str) -> str:
    if not INTERVAL_PATTERN.match(value):
        raise InvalidPipelineConfigError(f"{where}: expected '<n> seconds' or '<n> minutes', got {value!r}")
    return value


def _kafka_settings(raw: Mapping[str, Any], environment: str) -> KafkaSettings:
    where = "kafka"
    protocol = _one_of(_require(raw, "security_protocol", str, where), SECURITY_PROTOCOLS,
                       f"{where}.security_protocol")
    if environment == "prod" and protocol != "SASL_SSL":
        raise InvalidPipelineConfigError(f"{where}.security_protocol: expected SASL_SSL in prod, got {protocol!r}")
    max_offsets = _require(raw, "max_offsets_per_trigger", int, where)
    if max_offsets < 1:
        raise InvalidPipelineConfigError(f"{where}.max_offsets_per_trigger: expected >= 1, got {max_offsets}")
    return KafkaSettings(
        bootstrap_servers=_require(raw, "bootstrap_servers", str, where),
        topic=_require(raw, "topic", str, where),
        security_protocol=protocol,
        sasl_mechanism=_one_of(_require(raw, "sasl_mechanism", str, where), SASL_MECHANISMS,
                               f"{where}.sasl_mechanism"),
        username_env=_require(raw, "username_env", str, where),
        password_env=_require(raw, "password_env", str, where),
        truststore_pem_path=str(raw.get("truststore_pem_path") or ""),
        starting_offsets=_one_of(_require(raw, "starting_offsets", str, where), STARTING_OFFSETS,
                                 f"{where}.starting_offsets"),
        max_offsets_per_trigger=max_offsets,
        fail_on_data_loss=_require(raw, "fail_on_data_loss", bool, where),
    )


def _streaming_settings(raw: Mapping[str, Any]) -> StreamingSettings:
    where = "streaming"
    lateness = _require(raw, "allowed_lateness_seconds", int, where)
    horizon = _require(raw, "dedup_horizon_seconds", int, where)
    if lateness < 1 or horizon < lateness:
        raise InvalidPipelineConfigError(
            f"{where}: expected 1 <= allowed_lateness_seconds <= dedup_horizon_seconds, "
            f"got allowed_lateness_seconds={lateness}, dedup_horizon_seconds={horizon}"
        )
    trigger_interval = _interval(_require(raw, "trigger_interval", str, where), f"{where}.trigger_interval")
    bronze_interval = raw.get("bronze_trigger_interval", trigger_interval)
    if not isinstance(bronze_interval, str):
        raise InvalidPipelineConfigError(f"{where}.bronze_trigger_interval: expected str, got {bronze_interval!r}")
    return StreamingSettings(
        trigger_interval=trigger_interval,
        allowed_lateness_seconds=lateness,
        dedup_horizon_seconds=horizon,
        gold_window=_interval(_require(raw, "gold_window", str, where), f"{where}.gold_window"),
        silver_source=_one_of(_require(raw, "silver_source", str, where), SILVER_SOURCES, f"{where}.silver_source"),
        bronze_trigger_interval=_interval(bronze_interval, f"{where}.bronze_trigger_interval"),
    )


def parse_pipeline_config(raw: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> PipelineConfig:
    """Validate a config mapping (plus ``overrides``, merged key by key) into a :class:`PipelineConfig`."""
    if not isinstance(raw, Mapping):
        raise InvalidPipelineConfigError(f"config: expected a mapping, got {type(raw).__name__}")
    data = _deep_merge(dict(raw), overrides or {})
    environment = _one_of(_require(data, "environment", str, "config"), ENVIRONMENTS, "environment")
    storage = _require(data, "storage", dict, "config")
    validation = _require(data, "validation", dict, "config")
    ranges = _require(validation, "metric_ranges", dict, "validation")
    for metric, bounds in ranges.items():
        if metric not in METRICS:
            raise InvalidPipelineConfigError(f"validation.metric_ranges: expected metrics from {list(METRICS)}, "
                                             f"got {metric!r}")
        if not (isinstance(bounds, list) and len(bounds) == 2 and bounds[0] < bounds[1]):
            raise InvalidPipelineConfigError(f"validation.metric_ranges.{metric}: expected [low, high] with "
                                             f"low < high, got {bounds!r}")
    extensions = data.get("extension_fields") or {}
    for key, kind in extensions.items():
        _one_of(kind, EXTENSION_TYPES, f"extension_fields.{key}")
    return PipelineConfig(
        environment=environment,
        kafka=_kafka_settings(_require(data, "kafka", dict, "config"), environment),
        storage_root=_require(storage, "root", str, "storage"),
        streaming=_streaming_settings(_require(data, "streaming", dict, "config")),
        metric_ranges={m: (float(b[0]), float(b[1])) for m, b in ranges.items()},
        extension_fields=dict(extensions),
    )


def load_pipeline_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> PipelineConfig:
    """Load and validate one YAML config file."""
    file = Path(path)
    if not file.is_file():
        raise InvalidPipelineConfigError(f"config file: expected an existing file, got {str(file)!r}")
    return parse_pipeline_config(yaml.safe_load(file.read_text()), overrides)


def load_environment_config(environment: str, overrides: Mapping[str, Any] | None = None) -> PipelineConfig:
    """Load the packaged ``configs/<environment>.yaml`` (dev, qa or prod)."""
    _one_of(environment, ENVIRONMENTS, "environment")
    text = resources.files("iot_streaming_pipeline").joinpath("configs", f"{environment}.yaml").read_text()
    return parse_pipeline_config(yaml.safe_load(text), overrides)


def kafka_credentials_from_env(kafka: KafkaSettings, environ: Mapping[str, str]) -> KafkaCredentials | None:
    """Read the SASL user from ``environ`` (None for PLAINTEXT); names the missing variables, never values."""
    if kafka.security_protocol == "PLAINTEXT":
        return None
    missing = [name for name in (kafka.username_env, kafka.password_env) if not environ.get(name)]
    if missing:
        raise MissingKafkaCredentialsError(
            f"expected environment variables {missing} to hold the Kafka SASL user, found them unset"
        )
    return KafkaCredentials(environ[kafka.username_env], environ[kafka.password_env])


def _jaas_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kafka_source_options(kafka: KafkaSettings, credentials: KafkaCredentials | None) -> dict[str, str]:
    """Options for Spark's Kafka source: bootstrap, subscription, limits and (for SASL_SSL) JAAS + PEM truststore."""
    options = {
        "kafka.bootstrap.servers": kafka.bootstrap_servers,
        "subscribe": kafka.topic,
        "startingOffsets": kafka.starting_offsets,
        "maxOffsetsPerTrigger": str(kafka.max_offsets_per_trigger),
        "failOnDataLoss": str(kafka.fail_on_data_loss).lower(),
        "kafka.isolation.level": "read_committed",
    }
    if kafka.security_protocol == "SASL_SSL":
        if credentials is None:
            raise MissingKafkaCredentialsError("expected credentials for SASL_SSL, got None")
        module = ("org.apache.kafka.common.security.plain.PlainLoginModule" if kafka.sasl_mechanism == "PLAIN"
                  else "org.apache.kafka.common.security.scram.ScramLoginModule")
        options.update({
            "kafka.security.protocol": "SASL_SSL",
            "kafka.sasl.mechanism": kafka.sasl_mechanism,
            "kafka.sasl.jaas.config": f"{module} required username={_jaas_quote(credentials.username)} "
                                      f"password={_jaas_quote(credentials.password)};",
        })
        if kafka.truststore_pem_path:
            options.update({"kafka.ssl.truststore.type": "PEM",
                            "kafka.ssl.truststore.location": kafka.truststore_pem_path})
    return options
