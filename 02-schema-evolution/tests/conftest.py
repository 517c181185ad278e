"""Make the example and benchmark scripts importable: the tests reproduce errors with the very scenarios
the error-reference generator (examples/capture_delta_errors.py) runs, and run the benchmark's
functions on tiny data so they cannot rot."""
from __future__ import annotations

import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent
for scripts in (FOLDER / "examples", FOLDER / "benchmarks"):
    if str(scripts) not in sys.path:
        sys.path.insert(0, str(scripts))
