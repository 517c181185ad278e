"""Show the merged configuration (secrets as references, never values) and feed the bundle's variables.

Example::

    print(render_settings(load_settings(Path("hocon-configurations"), "prod")))
    bundle_variables(settings)["catalog"]   # 'iot_prod'
"""
from __future__ import annotations

import dataclasses
from typing import Any

from databricks_bundle_deployment.configuration.settings import IotSettings, SecretRef


def _lines(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if isinstance(item, SecretRef):
            lines.append(f'{pad}{field.name} = "<secret {item.scope}/{item.key}: redacted>"')
        elif dataclasses.is_dataclass(item):
            lines.append(f"{pad}{field.name} {{")
            lines += _lines(item, indent + 1)
            lines.append(f"{pad}}}")
        elif isinstance(item, str):
            lines.append(f'{pad}{field.name} = "{item}"')
        else:
            lines.append(f"{pad}{field.name} = {item}")
    return lines


def render_settings(settings: IotSettings) -> str:
    """The merged configuration as HOCON text; each secret shows its scope/key and ``redacted``."""
    return "\n".join(["iot {", *_lines(settings, 1), "}"])


def bundle_variables(settings: IotSettings) -> dict[str, str]:
    """The bundle variables this configuration decides (``--var`` values for the bundle's target)."""
    return {
        "catalog": settings.databricks.catalog,
        "schema": settings.databricks.schema,
        "storage_root": settings.storage.root,
        "kafka_bootstrap": settings.kafka.bootstrap_servers,
        "telemetry_topic": settings.kafka.topic,
        "service_principal": settings.service_principal,
        "spark_history_url": settings.monitoring.spark_history_url,
        "cost_center": settings.cost_center,
    }
