"""``python -m catalog_tools.generators``: see :mod:`catalog_tools.generators.cli`."""
import sys

from catalog_tools.generators.cli import main

sys.exit(main())
