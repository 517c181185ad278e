"""The typed configuration: dataclasses for each section, secrets as references (scope + key).

Example::

    >>> SecretRef("iot-kafka", "sasl-password").databricks_reference
    '{{secrets/iot-kafka/sasl-password}}'
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecretRef:
    """A secret named by Databricks secret scope and key; the value never enters the configuration."""

    scope: str
    key: str

    @property
    def databricks_reference(self) -> str:
        """The form Spark configuration and cluster settings accept on Databricks."""
        return "{{secrets/" + self.scope + "/" + self.key + "}}"

    def __repr__(self) -> str:
        return f"SecretRef(scope={self.scope!r}, key={self.key!r})"


@dataclass(frozen=True)
class DatabricksSettings:
    host: str
    catalog: str
    schema: str


@dataclass(frozen=True)
class StorageSettings:
    root: str


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap_servers: str
    topic: str
    max_offsets_per_trigger: int
    sasl_username: SecretRef
    sasl_password: SecretRef


@dataclass(frozen=True)
class MonitoringSettings:
    spark_history_url: str


@dataclass(frozen=True)
class IotSettings:
    """Everything under ``iot`` in the merged configuration."""

    environment: str
    cost_center: str
    service_principal: str
    databricks: DatabricksSettings
    storage: StorageSettings
    kafka: KafkaSettings
    monitoring: MonitoringSettings
