"""``python -m production_playbooks``: see :mod:`production_playbooks.cli`."""
from production_playbooks.cli import main

raise SystemExit(main())
