"""``python -m catalog_tools.generators``: the same CLI as :mod:`catalog_tools.generators.cli`."""
import sys

from catalog_tools.generators.cli import main

if __name__ == "__main__":
    sys.exit(main())
