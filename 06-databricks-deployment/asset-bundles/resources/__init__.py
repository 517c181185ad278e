"""Jobs defined in Python with databricks-bundles; `python.resources` in databricks.yml names this.

The Databricks CLI (and the offline validator) calls ``load_resources`` in the ``load_resources``
phase of ``python -m databricks.bundles.build``.
"""
from databricks.bundles.core import Bundle, Resources

from resources.performance_monitoring import performance_monitoring_job


def load_resources(bundle: Bundle) -> Resources:
    """Return the bundle's Python-defined resources for ``bundle.target``."""
    resources = Resources()
    resources.add_job("performance_monitoring", performance_monitoring_job(bundle.target))
    return resources
