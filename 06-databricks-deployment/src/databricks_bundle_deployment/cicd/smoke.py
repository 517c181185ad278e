"""Start a job run and poll it to a terminal state, with a timeout; fail unless it succeeded.

Example::

    outcome = smoke_run(WorkspaceClient(), job_id=123, timeout_seconds=1800, poll_seconds=15)
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import RunLifeCycleState

from databricks_bundle_deployment.findings import BundleError

TERMINAL = {RunLifeCycleState.TERMINATED, RunLifeCycleState.SKIPPED, RunLifeCycleState.INTERNAL_ERROR}


class SmokeRunFailedError(BundleError):
    def __init__(self, job_id: int, run_id: int, life_cycle: str, result: str, message: str):
        super().__init__(f"job {job_id} run {run_id}: expected TERMINATED/SUCCESS, found {life_cycle}/{result}"
                         + (f" ({message})" if message else ""))
        self.run_id = run_id


class SmokeRunTimeoutError(BundleError):
    def __init__(self, job_id: int, run_id: int, timeout_seconds: float, life_cycle: str):
        super().__init__(f"job {job_id} run {run_id}: expected a terminal state within {timeout_seconds} s, "
                         f"found {life_cycle}; the run was cancelled")
        self.run_id = run_id


@dataclass(frozen=True)
class SmokeOutcome:
    run_id: int
    polls: int


def smoke_run(client: WorkspaceClient, job_id: int, timeout_seconds: float, poll_seconds: float) -> SmokeOutcome:
    """Run ``job_id`` now; raise ``SmokeRunFailedError`` or ``SmokeRunTimeoutError`` (after cancelling)."""
    run_id = client.jobs.run_now(job_id).run_id
    deadline = time.monotonic() + timeout_seconds
    polls = 0
    while True:
        run = client.jobs.get_run(run_id)
        polls += 1
        state = run.state
        life_cycle = state.life_cycle_state if state else None
        if life_cycle in TERMINAL:
            result = state.result_state.value if state and state.result_state else "NONE"
            if life_cycle == RunLifeCycleState.TERMINATED and result == "SUCCESS":
                return SmokeOutcome(run_id, polls)
            raise SmokeRunFailedError(job_id, run_id, life_cycle.value, result, (state.state_message or ""))
        if time.monotonic() >= deadline:
            client.jobs.cancel_run(run_id)
            raise SmokeRunTimeoutError(job_id, run_id, timeout_seconds, life_cycle.value if life_cycle else "NONE")
        time.sleep(poll_seconds)
