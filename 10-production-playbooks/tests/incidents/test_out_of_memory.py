"""Driver and executor out-of-memory, reproduced in a Spark JVM with a 600 MiB heap of its own.

A real ``OutOfMemoryError`` can end the JVM, so the jobs run in a subprocess
(``out_of_memory_jobs.py``, one JVM start for both incidents), never in the suite's Spark
session. The test reads what the job printed (its ``RESULT`` lines) and Spark's log (stderr), as
on-call reads a failed job run's output and its executor log.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import capture_incident_log

from production_playbooks import diagnose_text

JOBS = Path(__file__).with_name("out_of_memory_jobs.py")


@pytest.fixture(scope="module")
def oom_run(tmp_path_factory) -> dict:
    """Run the jobs once; return their RESULT lines by step, Spark's log and the work folder."""
    work_dir = tmp_path_factory.mktemp("oom")
    finished = subprocess.run([sys.executable, str(JOBS), str(work_dir)], capture_output=True, text=True,
                              timeout=600, check=False)
    results = {}
    for line in finished.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            results[result["step"]] = result
    return {"results": results, "log": finished.stderr, "work_dir": work_dir, "returncode": finished.returncode}


def without_task_numbers(text: str) -> str:
    """Task, stage and TID numbers depend on how many jobs ran before."""
    text = re.sub(r"task \d+\.\d+ in stage \d+\.\d+ \(TID \d+\)", "task <n> in stage <n> (TID <n>)", text)
    return re.sub(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d ", "<time> ", text, flags=re.M)


def test_driver_out_of_memory_collect_is_reproduced_diagnosed_and_fixed_by_writing_instead_of_collecting(oom_run):
    results = oom_run["results"]

    # 1. collect() of the shift report: the driver refuses results above spark.driver.maxResultSize.
    collect = results["collect"]
    assert not collect["ok"] and "is bigger than spark.driver.maxResultSize (1024.0 KiB)" in collect["error"]
    log = capture_incident_log("driver-out-of-memory-collect", "collect-above-max-result-size",
                               "Traceback (most recent call last):\n" + collect["error"], oom_run["work_dir"])
    assert diagnose_text(log).incident_id == "driver-out-of-memory-collect"

    # 2. The fix, in the same JVM with the same limits: write the rows to a table; every row is there.
    assert results["write-instead"] == {"step": "write-instead", "ok": True, "rows": 100_000}


def test_executor_out_of_memory_exploding_row_is_reproduced_diagnosed_and_fixed_by_aggregating_instead(oom_run):
    results = oom_run["results"]

    # 1. collect_list of one machine's 3,000,000 readings builds one row larger than the heap.
    assert "collect_list" not in results, "the exploding row fit in memory; raise HOT_MACHINE_READINGS"
    assert oom_run["returncode"] != 0
    # The executor and the uncaught-exception handler log from two threads, in either order, each
    # followed by the error; the excerpt takes the first line of each in a fixed order.
    lines = without_task_numbers(oom_run["log"]).splitlines()
    oom = "java.lang.OutOfMemoryError: Java heap space"
    assert oom in lines
    executor, handler = (next(line for line in lines if line.startswith(f"<time> ERROR {logger}:"))
                         for logger in ("Executor", "SparkUncaughtExceptionHandler"))
    log = capture_incident_log("executor-out-of-memory-exploding-row", "collect-list-one-machine",
                               "\n".join([executor, oom, handler, oom]) + "\n", oom_run["work_dir"])
    assert diagnose_text(log).incident_id == "executor-out-of-memory-exploding-row"

    # 2. The fix ran first in the same JVM: aggregate per machine; every reading is counted.
    assert results["aggregate-instead"] == {"step": "aggregate-instead", "ok": True, "readings": 3_000_000}
