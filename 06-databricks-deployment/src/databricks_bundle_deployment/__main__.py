"""``python -m databricks_bundle_deployment``: see ``cli.py``."""
import sys

from databricks_bundle_deployment.cli import main

sys.exit(main())
