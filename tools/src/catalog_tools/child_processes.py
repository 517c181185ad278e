"""What every local service the fixtures start needs from its child process: Java, and a tie to us.

Example::

    >>> subprocess.Popen([java_executable(RuntimeError), "-version"], preexec_fn=tie_to_parent)  # doctest: +SKIP
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def tie_to_parent() -> None:
    """In the child (``preexec_fn``): own process group, and killed by Linux if this Python process dies.

    Call it after any change of user: Linux clears the parent-death signal when credentials change.
    """
    os.setsid()
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def java_executable(missing_error: type[Exception]) -> str:
    """Return ``$JAVA_HOME/bin/java`` if it exists, else ``java`` on PATH; raise ``missing_error`` if neither."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    java = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if java is None:
        raise missing_error("expected a Java 17+ runtime on PATH or in JAVA_HOME, found none")
    return java
