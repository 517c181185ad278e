"""Each seeded mistake fails validation with one precise finding: file, document path, expected vs actual."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_bundle, edit_yaml, replace_text

from databricks_bundle_deployment import Finding, UnknownTargetError, validate_bundle


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return copy_bundle(tmp_path)


def only_finding(bundle: Path, target: str) -> Finding:
    report = validate_bundle(bundle, [target])
    assert len(report.findings) == 1, "\n".join(map(str, report.findings))
    return report.findings[0]


def test_a_typo_in_a_job_field_is_rejected_by_databricks_model(bundle):
    replace_text(bundle / "resources/streaming_pipeline.yml", "max_concurrent_runs", "max_concurent_runs")

    finding = only_finding(bundle, "dev")

    assert (finding.rule, finding.file) == ("databricks-model", "resources/streaming_pipeline.yml")
    assert finding.path == "resources.jobs.iot_streaming_pipeline.max_concurent_runs"
    assert finding.expected == "a field of Job (Databricks' model)"
    assert finding.actual == "unexpected field 'max_concurent_runs'"


def test_a_typo_inside_a_task_names_the_nested_path(bundle):
    replace_text(bundle / "resources/spill_probe.yml", "parameters:", "paramters:")

    finding = only_finding(bundle, "qa")

    assert finding.path == "resources.jobs.spill_probe.tasks[0].python_wheel_task.paramters"
    assert finding.expected == "a field of PythonWheelTask (Databricks' model)"


def test_a_wrong_type_is_rejected_by_databricks_model(bundle):
    replace_text(bundle / "resources/dimensional_load.yml", "timeout_seconds: 5400", "timeout_seconds: an hour")

    finding = only_finding(bundle, "dev")

    assert (finding.rule, finding.path) == ("databricks-model", "resources.jobs.dimensional_load")
    assert "invalid literal for int() with base 10: 'an hour'" in finding.actual


def test_an_undeclared_variable_is_an_unresolved_reference(bundle):
    replace_text(bundle / "resources/streaming_pipeline.yml", "${var.kafka_bootstrap}", "${var.kafka_bootstrp}")

    finding = only_finding(bundle, "prod")

    assert (finding.rule, finding.file) == ("unresolved-reference", "resources/streaming_pipeline.yml")
    assert finding.path == "resources.jobs.iot_streaming_pipeline.tasks[0].python_wheel_task.parameters[3]"
    assert finding.actual == "${var.kafka_bootstrp} (an undeclared variable)"


def test_a_variable_without_a_value_for_one_target_is_reported_for_that_target_only(bundle):
    edit_yaml(bundle / "databricks.yml", lambda d: d["targets"]["qa"]["variables"].pop("kafka_bootstrap"))

    report = validate_bundle(bundle, ["dev", "qa"])

    assert [str(f) for f in report.findings] == [
        "databricks.yml: variables.kafka_bootstrap: [qa] unresolved-reference: "
        "expected a default or a value in targets.qa.variables, found no value"]


def test_a_task_script_that_does_not_exist_is_a_missing_entry_point(bundle):
    def run_a_renamed_script(document):
        task = document["resources"]["jobs"]["end_to_end"]["tasks"][1]
        task.pop("python_wheel_task")
        task["spark_python_task"] = {"python_file": "../../../05-performance-optimization/examples/write_configs.py"}

    edit_yaml(bundle / "resources/end_to_end.yml", run_a_renamed_script)

    finding = only_finding(bundle, "dev")

    assert (finding.rule, finding.file) == ("entry-point", "resources/end_to_end.yml")
    assert finding.path == "resources.jobs.end_to_end.tasks[1].spark_python_task.python_file"
    assert finding.actual == "no file at '../../../05-performance-optimization/examples/write_configs.py'"


def test_a_wheel_entry_point_the_pattern_folder_does_not_declare_is_missing(bundle):
    replace_text(bundle / "resources/performance_monitoring.py", '"spark-perf-analyze"', '"spark-perf-analyse"')

    finding = only_finding(bundle, "dev")

    assert finding.rule == "entry-point"
    assert finding.path == "resources.jobs.performance_monitoring.tasks[0].python_wheel_task.entry_point"
    assert finding.expected == ("an entry point in 05-performance-optimization/pyproject.toml "
                                "(['spark-perf-analyze', 'spill-probe', 'write-cluster-configs'])")
    assert finding.actual == "'spark-perf-analyse'"


def test_a_misspelt_entry_point_in_a_yaml_task_is_missing(bundle):
    replace_text(bundle / "resources/dimensional_load.yml", "entry_point: dimensional-load",
                 "entry_point: dimensional_load")

    assert str(only_finding(bundle, "qa")) == (
        "resources/dimensional_load.yml: resources.jobs.dimensional_load.tasks[0].python_wheel_task.entry_point: "
        "[qa] entry-point: expected an entry point in 04-dimensional-modeling/pyproject.toml (['dimensional-load']), "
        "found 'dimensional_load'")


def test_an_entry_point_whose_function_is_missing_is_reported(tmp_path):
    bundle = copy_bundle(tmp_path, copied=("05-performance-optimization",))
    replace_text(bundle.parents[1] / "05-performance-optimization/pyproject.toml",
                 "cluster_configs_job:main", "cluster_configs_job:run")

    finding = only_finding(bundle, "dev")

    assert (finding.file, finding.path) == ("resources/end_to_end.yml",
                                            "resources.jobs.end_to_end.tasks[1].python_wheel_task.entry_point")
    assert finding.expected == ("05-performance-optimization: a function run() in "
                                "src/spark_performance_analyzer/cluster_configs_job.py for "
                                "'spark_performance_analyzer.cluster_configs_job:run'")
    assert finding.actual == "functions ['_folder', 'main', 'parse_arguments', 'write_cluster_configs']"


def test_an_entry_point_whose_module_is_missing_is_reported(tmp_path):
    bundle = copy_bundle(tmp_path, copied=("05-performance-optimization",))
    (bundle.parents[1] / "05-performance-optimization/src/spark_performance_analyzer/spill_probe_job.py").unlink()

    finding = only_finding(bundle, "prod")

    assert finding.path == "resources.jobs.spill_probe.tasks[0].python_wheel_task.entry_point"
    assert finding.actual == "no such file"
    assert finding.expected.startswith(
        "05-performance-optimization: a module spark_performance_analyzer.spill_probe_job")


def test_a_typo_in_the_python_defined_job_fails_in_databricks_load_phase(bundle):
    replace_text(bundle / "resources/performance_monitoring.py", '"max_retries": 0', '"max_retry": 0')

    findings = validate_bundle(bundle, ["dev"]).findings

    assert [(f.rule, f.file, f.path, f.expected, f.actual) for f in findings] == [
        ("databricks-model", "resources/__init__.py", "python.resources", "a field of Task (Databricks' model)",
         "unexpected field 'max_retry'")]


def test_prod_running_as_a_person_breaks_the_deployment_rules(bundle):
    edit_yaml(bundle / "databricks.yml",
              lambda d: d["targets"]["prod"].update(run_as={"user_name": "jane.doe@plant.example"}))

    assert str(only_finding(bundle, "prod")) == (
        "databricks.yml: targets.prod.run_as: [prod] deployment-rule: "
        "expected a service_principal_name, found user_name 'jane.doe@plant.example'")


def test_a_prod_job_without_a_timeout_breaks_the_deployment_rules(bundle):
    replace_text(bundle / "resources/spill_probe.yml", "      timeout_seconds: 1800\n", "")

    finding = only_finding(bundle, "prod")

    assert (finding.file, finding.path) == ("resources/spill_probe.yml", "resources.jobs.spill_probe.timeout_seconds")
    assert (finding.expected, finding.actual) == ("a timeout in seconds > 0", "None")


def test_a_task_without_retries_or_on_an_all_purpose_cluster_breaks_the_rules_in_prod_not_dev(bundle):
    def use_all_purpose_cluster(document):
        task = document["resources"]["jobs"]["dimensional_load"]["tasks"][0]
        task.pop("job_cluster_key")
        task.pop("max_retries")
        task["existing_cluster_id"] = "0601-182128-abcd1234"

    edit_yaml(bundle / "resources/dimensional_load.yml", use_all_purpose_cluster)

    assert validate_bundle(bundle, ["dev"]).findings == []
    assert sorted(str(f) for f in validate_bundle(bundle, ["prod"]).findings) == [
        "resources/dimensional_load.yml: resources.jobs.dimensional_load.tasks[0].existing_cluster_id: [prod] "
        "deployment-rule: expected a job cluster (job_cluster_key) or serverless, "
        "found all-purpose cluster '0601-182128-abcd1234'",
        "resources/dimensional_load.yml: resources.jobs.dimensional_load.tasks[0].max_retries: [prod] "
        "deployment-rule: expected max_retries set on every task, found not set",
    ]


def test_a_prod_job_without_a_cost_tag_breaks_the_deployment_rules(bundle):
    replace_text(bundle / "resources/end_to_end.yml", "        cost_center: ${var.cost_center}\n", "")

    finding = only_finding(bundle, "prod")

    assert finding.path == "resources.jobs.end_to_end.tags.cost_center"
    assert finding.actual == "tags ['pattern']"


def test_prod_in_development_mode_with_a_personal_root_breaks_the_deployment_rules(bundle):
    def make_prod_personal(document):
        document["targets"]["prod"]["mode"] = "development"
        document["targets"]["prod"]["workspace"]["root_path"] = "/Workspace/Users/jane.doe@plant.example/.bundle"

    edit_yaml(bundle / "databricks.yml", make_prod_personal)

    assert sorted(f.path for f in validate_bundle(bundle, ["prod"]).findings) == [
        "targets.prod.mode", "targets.prod.workspace.root_path"]


def test_a_development_preset_in_prod_breaks_the_deployment_rules(bundle):
    edit_yaml(bundle / "databricks.yml", lambda d: d["targets"]["prod"].update(presets={"name_prefix": "[dev] "}))

    finding = only_finding(bundle, "prod")

    assert (finding.path, finding.actual) == ("targets.prod.presets.name_prefix", "'[dev] '")


def test_a_misspelt_top_level_key_is_a_structure_error(bundle):
    replace_text(bundle / "databricks.yml", "\nartifacts:", "\nartefacts:")

    report = validate_bundle(bundle, ["dev"])

    assert [str(f) for f in report.findings] == [
        "databricks.yml: artefacts: [*] structure: expected one of ['artifacts', 'bundle', 'environments', "
        "'experimental', 'include', 'permissions', 'presets', 'python', 'resources', 'run_as', 'scripts', "
        "'sync', 'targets', 'variables', 'workspace'], found 'artefacts'"]


def test_a_dependency_on_a_task_that_does_not_exist_is_reported(bundle):
    replace_text(bundle / "resources/end_to_end.yml", "- task_key: dimensional_load\n          job",
                 "- task_key: dimensional_loads\n          job")

    findings = {f.path: f for f in validate_bundle(bundle, ["dev"]).findings}

    assert findings["resources.jobs.end_to_end.tasks[1].depends_on[0].task_key"].actual == "'dimensional_load'"


def test_an_include_that_matches_no_file_is_reported(bundle):
    replace_text(bundle / "databricks.yml", "  - resources/*.yml", "  - resource/*.yml")

    findings = validate_bundle(bundle, ["dev"]).findings

    assert str(findings[0]) == (
        "databricks.yml: include[0]: [*] include: expected at least one file matching the glob, "
        "found no file for 'resource/*.yml'")


def test_an_unknown_target_is_a_named_error(bundle):
    with pytest.raises(UnknownTargetError, match=r"expected one of \['dev', 'qa', 'prod'\], found 'staging'"):
        validate_bundle(bundle, ["staging"])


def test_a_wheel_library_from_a_folder_that_does_not_exist_is_reported(bundle):
    replace_text(bundle / "resources/dimensional_load.yml", "04-dimensional-modeling/dist", "04-dimensional-model/dist")

    finding = only_finding(bundle, "dev")

    assert (finding.path, finding.actual) == ("resources.jobs.dimensional_load.tasks[0].libraries[0].whl",
                                              "no project for '../../../04-dimensional-model/dist/*.whl'")


def test_a_prod_task_reading_from_a_persons_folder_breaks_the_deployment_rules(bundle):
    replace_text(bundle / "resources/dimensional_load.yml", "${var.storage_root}/landing/machine_config_changes",
                 "/Workspace/Users/jane.doe@plant.example/landing")

    finding = only_finding(bundle, "prod")

    assert (finding.file, finding.path) == ("resources/dimensional_load.yml",
                                            "resources.jobs.dimensional_load.tasks[0].python_wheel_task.parameters[1]")
    assert finding.expected == "no path in a person's folder (/Users/...)"


def test_a_shared_root_in_dev_breaks_the_per_user_rule(bundle):
    edit_yaml(bundle / "databricks.yml", lambda d: d["targets"]["dev"]["workspace"].update(
        root_path="/Workspace/Shared/.bundle/iot-catalog/dev"))

    assert str(only_finding(bundle, "dev")) == (
        "databricks.yml: targets.dev.workspace.root_path: [dev] deployment-rule: expected a per-user root "
        "(${workspace.current_user.userName}), found '/Workspace/Shared/.bundle/iot-catalog/dev'")


def test_an_artifact_built_from_a_folder_without_a_project_is_reported(bundle):
    replace_text(bundle / "databricks.yml", "path: ../../04-dimensional-modeling", "path: ../../04-dimensional")

    findings = [str(f) for f in validate_bundle(bundle, ["qa"]).findings]

    assert findings == ["databricks.yml: artifacts.manufacturing_star_schema.path: [qa] entry-point: expected a "
                        "folder with a pyproject.toml to build the wheel from, found none at '../../04-dimensional'"]
