"""Restore the job definitions a deployment replaced (and delete the jobs it created).

Example::

    rollback_jobs(WorkspaceClient(), DeploymentRecord.from_dict(json.loads(Path(record_file).read_text())))
"""
from __future__ import annotations

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import JobSettings

from databricks_bundle_deployment.cicd.deploy import DeploymentRecord


def rollback_jobs(client: WorkspaceClient, record: DeploymentRecord) -> dict[str, str]:
    """Reset each replaced job to its recorded settings, delete each created one; return what was done."""
    done: dict[str, str] = {}
    for key, job in record.jobs.items():
        if job.created:
            client.jobs.delete(job.job_id)
            done[key] = "deleted"
        elif job.previous_settings is not None:
            client.jobs.reset(job.job_id, JobSettings.from_dict(job.previous_settings))
            done[key] = "restored"
    return done
