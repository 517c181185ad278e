"""Deploy, smoke and rollback with databricks-sdk against a local server speaking the Jobs API."""
from __future__ import annotations

import json

import pytest
from databricks.sdk import WorkspaceClient
from helpers import BUNDLE, JobsApiServer, copy_bundle, replace_text

from databricks_bundle_deployment import resolve_target
from databricks_bundle_deployment.cicd.deploy import DeploymentRecord, deploy_jobs
from databricks_bundle_deployment.cicd.job_definitions import job_definitions
from databricks_bundle_deployment.cicd.rollback import rollback_jobs
from databricks_bundle_deployment.cicd.smoke import SmokeRunFailedError, SmokeRunTimeoutError, smoke_run
from databricks_bundle_deployment.cli import main


@pytest.fixture
def jobs_api(httpserver) -> JobsApiServer:
    return JobsApiServer(httpserver)


@pytest.fixture
def client(jobs_api) -> WorkspaceClient:
    return WorkspaceClient(host=jobs_api.url, token="dapi-local-test", auth_type="pat")


@pytest.fixture(scope="module")
def prod_definitions() -> dict:
    return job_definitions(resolve_target(BUNDLE, "prod"), BUNDLE)


def test_job_definitions_point_at_the_synced_files_in_the_workspace(prod_definitions):
    task = prod_definitions["end_to_end"]["tasks"][1]

    assert task["python_wheel_task"] == {
        "package_name": "spark_performance_analyzer", "entry_point": "write-cluster-configs",
        "parameters": ["--out", "/Volumes/iot_prod/manufacturing/lake/cluster-configs"]}
    assert task["libraries"] == [
        {"whl": "/Workspace/Shared/.bundle/iot-catalog/prod/files/05-performance-optimization/dist/*.whl"}]
    assert prod_definitions["performance_monitoring"]["tasks"][0]["libraries"] == [
        {"whl": "/Workspace/Shared/.bundle/iot-catalog/prod/files/05-performance-optimization/dist/*.whl"}]


def test_a_built_wheel_replaces_the_glob_in_the_deployed_library(tmp_path):
    bundle = copy_bundle(tmp_path)
    replace_text(bundle / "resources/performance_monitoring.py", "../../05-performance-optimization/dist/*.whl",
                 "../wheelhouse/*.whl")
    (bundle.parent / "wheelhouse").mkdir()
    (bundle.parent / "wheelhouse" / "spark_performance_analyzer-0.1.0-py3-none-any.whl").write_bytes(b"PK")

    definitions = job_definitions(resolve_target(bundle, "qa"), bundle)

    assert definitions["performance_monitoring"]["tasks"][0]["libraries"] == [{
        "whl": "/Workspace/Shared/.bundle/iot-catalog/qa/files/"
               "06-databricks-deployment/wheelhouse/spark_performance_analyzer-0.1.0-py3-none-any.whl"}]


def test_deploy_records_the_definitions_it_replaces_and_creates_the_missing_jobs(client, jobs_api, prod_definitions):
    old_id = jobs_api.add_job({"name": "end-to-end-prod", "timeout_seconds": 60, "max_concurrent_runs": 4})

    record = deploy_jobs(client, prod_definitions, "prod")

    assert record.jobs["end_to_end"].job_id == old_id
    assert record.jobs["end_to_end"].previous_settings == {
        "name": "end-to-end-prod", "timeout_seconds": 60, "max_concurrent_runs": 4}
    assert jobs_api.jobs[old_id]["timeout_seconds"] == 7200
    assert {key for key, job in record.jobs.items() if job.created} == set(prod_definitions) - {"end_to_end"}
    assert len(jobs_api.jobs) == len(prod_definitions)


def test_rollback_restores_the_recorded_definitions_and_deletes_the_created_jobs(client, jobs_api, prod_definitions):
    old_id = jobs_api.add_job({"name": "end-to-end-prod", "timeout_seconds": 60, "max_concurrent_runs": 4})
    record = DeploymentRecord.from_dict(json.loads(json.dumps(deploy_jobs(client, prod_definitions, "prod").as_dict())))

    done = rollback_jobs(client, record)

    assert done["end_to_end"] == "restored"
    assert jobs_api.jobs == {old_id: {"name": "end-to-end-prod", "timeout_seconds": 60, "max_concurrent_runs": 4}}


def test_smoke_polls_a_run_through_its_life_cycle_to_success(client, jobs_api):
    job_id = jobs_api.add_job({"name": "end-to-end-qa"})
    jobs_api.run_script = [[("PENDING", None), ("RUNNING", None), ("TERMINATING", None), ("TERMINATED", "SUCCESS")]]

    outcome = smoke_run(client, job_id, timeout_seconds=30, poll_seconds=0.01)

    assert outcome.polls == 4


def test_smoke_fails_on_a_failed_run_with_the_run_message(client, jobs_api):
    job_id = jobs_api.add_job({"name": "end-to-end-qa"})
    jobs_api.run_script = [[("RUNNING", None), ("TERMINATED", "FAILED")]]

    with pytest.raises(SmokeRunFailedError, match=r"expected TERMINATED/SUCCESS, found TERMINATED/FAILED "
                                                   r"\(Task spill_probe failed with message: exit code 1\.\)"):
        smoke_run(client, job_id, timeout_seconds=30, poll_seconds=0.01)


def test_smoke_cancels_a_run_that_does_not_finish_in_time(client, jobs_api):
    job_id = jobs_api.add_job({"name": "end-to-end-qa"})
    jobs_api.run_script = [[("RUNNING", None)]]  # never terminates

    with pytest.raises(SmokeRunTimeoutError, match=r"within 0.2 s, found RUNNING; the run was cancelled") as raised:
        smoke_run(client, job_id, timeout_seconds=0.2, poll_seconds=0.01)

    assert jobs_api.runs[raised.value.run_id]["cancelled"]
    assert "POST /api/2.2/jobs/runs/cancel" in jobs_api.calls


def test_the_cli_deploys_smokes_and_rolls_back_a_failed_release(jobs_api, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABRICKS_HOST", jobs_api.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-local-test")
    old_id = jobs_api.add_job({"name": "end-to-end-qa", "timeout_seconds": 60})
    record_file = tmp_path / "deployment-record.json"
    jobs_api.run_script = [[("RUNNING", None), ("INTERNAL_ERROR", None)]]

    assert main(["deploy", "--bundle", str(BUNDLE), "--target", "qa", "--record", str(record_file)]) == 0
    assert main(["smoke", "--bundle", str(BUNDLE), "--target", "qa", "--job", "end_to_end",
                 "--timeout-seconds", "30", "--poll-seconds", "0.01"]) == 1
    assert main(["rollback", "--record", str(record_file)]) == 0

    assert jobs_api.jobs == {old_id: {"name": "end-to-end-qa", "timeout_seconds": 60}}
    err = capsys.readouterr().err
    assert "found INTERNAL_ERROR/NONE" in err
    assert "dapi-local-test" not in err
