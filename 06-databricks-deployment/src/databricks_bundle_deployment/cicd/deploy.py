"""Deploy job definitions and record the ones they replace, so a rollback can restore them.

Each job is found by its name: an existing job is reset to the new settings after its current
settings are recorded; a missing one is created (and recorded as created, so a rollback deletes it).

Example::

    record = deploy_jobs(WorkspaceClient(), definitions, target="prod")
    Path("deployment-record.json").write_text(json.dumps(record.as_dict()))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import JobSettings


@dataclass
class ReplacedJob:
    """One deployed job: its id, whether the deploy created it, and the settings it had before."""

    job_id: int
    created: bool
    previous_settings: dict[str, Any] | None


@dataclass
class DeploymentRecord:
    target: str
    jobs: dict[str, ReplacedJob] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target,
                "jobs": {k: {"job_id": j.job_id, "created": j.created, "previous_settings": j.previous_settings}
                         for k, j in self.jobs.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeploymentRecord:
        return cls(data["target"], {k: ReplacedJob(v["job_id"], v["created"], v["previous_settings"])
                                    for k, v in data["jobs"].items()})


def find_job_id(client: WorkspaceClient, name: str) -> int | None:
    """The id of the job called ``name``; None when there is none."""
    for job in client.jobs.list(name=name):
        if job.settings and job.settings.name == name:
            return job.job_id
    return None


def deploy_jobs(client: WorkspaceClient, definitions: dict[str, dict[str, Any]], target: str) -> DeploymentRecord:
    """Create or reset every job in ``definitions``; return what each replaced."""
    record = DeploymentRecord(target)
    for key, settings in definitions.items():
        new_settings = JobSettings.from_dict(settings)
        job_id = find_job_id(client, settings["name"])
        if job_id is None:
            created = client.jobs.create(**{name: getattr(new_settings, name) for name in settings
                                            if hasattr(new_settings, name)})
            record.jobs[key] = ReplacedJob(created.job_id, True, None)
            continue
        previous = client.jobs.get(job_id).settings
        record.jobs[key] = ReplacedJob(job_id, False, previous.as_dict() if previous else None)
        client.jobs.reset(job_id, new_settings)
    return record
