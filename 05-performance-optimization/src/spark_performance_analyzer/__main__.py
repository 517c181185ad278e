"""``python -m spark_performance_analyzer``: see :mod:`spark_performance_analyzer.cli`."""
import sys

from spark_performance_analyzer.cli import main

sys.exit(main())
