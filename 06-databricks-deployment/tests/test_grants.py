"""Unity Catalog grants generated from the YAML access model, checked as the SQL they produce."""
from __future__ import annotations

import pytest
import yaml
from helpers import BUNDLE, FOLDER

from databricks_bundle_deployment import resolve_target
from databricks_bundle_deployment.cli import main
from databricks_bundle_deployment.grants import AccessModelError, grant_statements

MODEL_FILE = FOLDER / "workspace-organization" / "access-model.yml"


@pytest.fixture
def model() -> dict:
    return yaml.safe_load(MODEL_FILE.read_text())


def test_prod_grants_read_to_the_teams_and_write_to_the_service_principal_only(model):
    assert grant_statements(model, "prod") == [
        "GRANT USE CATALOG ON CATALOG `iot_prod` TO `data-engineers`;",
        "GRANT USE SCHEMA, SELECT ON SCHEMA `iot_prod`.`manufacturing` TO `data-engineers`;",
        "GRANT USE CATALOG ON CATALOG `iot_prod` TO `plant-analysts`;",
        "GRANT USE SCHEMA, SELECT ON SCHEMA `iot_prod`.`manufacturing` TO `plant-analysts`;",
        "GRANT USE CATALOG ON CATALOG `iot_prod` TO `0c9e7d41-2b6a-4f3e-8d15-7a4e2c9b5f02`;",
        "GRANT USE SCHEMA, SELECT, MODIFY, CREATE TABLE, CREATE VOLUME, READ VOLUME, WRITE VOLUME "
        "ON SCHEMA `iot_prod`.`manufacturing` TO `0c9e7d41-2b6a-4f3e-8d15-7a4e2c9b5f02`;",
    ]


@pytest.mark.parametrize("environment", ["qa", "prod"])
def test_the_principal_that_runs_the_jobs_is_the_one_that_may_write(model, environment):
    runs_as = resolve_target(BUNDLE, environment).document["run_as"]["service_principal_name"]
    writers = [g["principal"] for g in model["grants"] if g["role"] == "writer" and environment in g["environments"]]

    assert writers == [runs_as]


def test_a_grant_to_a_person_is_refused(model):
    model["grants"].append({"principal": "jane.doe@plant.example", "role": "reader", "environments": ["prod"]})

    with pytest.raises(AccessModelError, match=r"grants\[5\]\.principal: expected a group or a service principal, "
                                               r"found a person"):
        grant_statements(model, "prod")


def test_an_unknown_role_or_privilege_is_refused(model):
    model["roles"]["reader"].append("SELECT ALL")
    with pytest.raises(AccessModelError, match=r"roles\.reader: expected privileges from .*found \['SELECT ALL'\]"):
        grant_statements(model, "prod")
    model["roles"]["reader"].pop()
    model["grants"][0]["role"] = "admin"
    with pytest.raises(AccessModelError, match=r"grants\[0\]\.role: expected one of \['reader', 'writer'\], "
                                               r"found 'admin'"):
        grant_statements(model, "dev")


def test_the_cli_prints_the_statements_for_one_environment(capsys):
    assert main(["grants", "--env", "dev", "--model", str(MODEL_FILE)]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "GRANT USE CATALOG ON CATALOG `iot_dev` TO `data-engineers`;",
        "GRANT USE SCHEMA, SELECT, MODIFY, CREATE TABLE, CREATE VOLUME, READ VOLUME, WRITE VOLUME "
        "ON SCHEMA `iot_dev`.`manufacturing` TO `data-engineers`;",
    ]
