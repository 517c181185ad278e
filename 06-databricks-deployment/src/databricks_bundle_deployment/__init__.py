"""Validate a Databricks bundle offline with Databricks' own models, and run its jobs locally.

Example::

    from databricks_bundle_deployment import validate_bundle
    report = validate_bundle(Path("asset-bundles"), targets=["prod"])
    print(*report.findings, sep="\\n")
"""
from databricks_bundle_deployment.deployment_rules import DeploymentRules
from databricks_bundle_deployment.findings import (
    BundleError,
    BundleLoadError,
    Finding,
    UnknownJobError,
    UnknownTargetError,
)
from databricks_bundle_deployment.validator import ValidationReport, resolve_target, validate_bundle

__all__ = [
    "BundleError",
    "BundleLoadError",
    "DeploymentRules",
    "Finding",
    "UnknownJobError",
    "UnknownTargetError",
    "ValidationReport",
    "resolve_target",
    "validate_bundle",
]
