"""Generate the folder's notebooks from code cells kept here, so the notebooks never drift from tested code.

Run it: ``.venv/bin/python 05-performance-optimization/notebooks/build_notebooks.py`` (writes the
``.ipynb`` files next to this script, without outputs). ``tests/test_notebooks.py`` rebuilds them into
a temporary folder, checks the committed ones are identical, and executes them with nbclient.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = '''import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path.cwd().parent))  # Jupyter starts in notebooks/; the demo jobs live in ../workloads

from workloads import scenarios

from catalog_tools.spark import local_spark
from spark_performance_analyzer import analyze, format_report, load_from_rest_api
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS

spark = local_spark(Path(tempfile.mkdtemp(prefix="notebook-")), ui=True, app_name="notebook")
print("Spark UI:", spark.sparkContext.uiWebUrl)


def report(group):
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    findings = analyze(app, LAPTOP_THRESHOLDS)
    print(format_report(app, findings))
    return findings'''

SPARK_UI_DEEP_DIVE = [
    new_markdown_cell("# Spark UI deep dive: a skewed join\n\nOne machine sends 90 % of the readings. "
                      "We run the join, read the stage metrics the Spark UI shows from its REST API, "
                      "and let the analyzer name the stage."),
    new_code_cell(SETUP),
    new_code_cell('scenarios.run_healthy_aggregation(spark, group="warm-up")\n'
                  'scenarios.run_skewed_join(spark, group="skewed")\n'
                  'findings = report("skewed")\n'
                  'assert {f.kind for f in findings} == {"skew"}'),
    new_markdown_cell("The join stage's largest task read many times the median task's shuffle bytes. "
                      "Turn on AQE's skew-join handling and run the same join again."),
    new_code_cell('scenarios.run_aqe_skew_join(spark, group="aqe")\n'
                  'findings = report("aqe")\n'
                  'assert "skew" not in {f.kind for f in findings}'),
    new_code_cell("spark.stop()"),
]

PERFORMANCE_TROUBLESHOOTING = [
    new_markdown_cell("# Performance troubleshooting: shuffles, explode and memory\n\n"
                      "Three symptoms, each reproduced, diagnosed and fixed."),
    new_code_cell(SETUP),
    new_markdown_cell("## A join that shuffles a 100-row table"),
    new_code_cell('scenarios.run_shuffled_small_join(spark, group="smj", rows=100_000)\n'
                  'assert {f.kind for f in report("smj")} == {"avoidable shuffle"}\n'
                  'scenarios.run_broadcast_small_join(spark, group="bhj", rows=100_000)\n'
                  'assert report("bhj") == []'),
    new_markdown_cell("## Exploding a 40-key map"),
    new_code_cell('scratch = Path(tempfile.mkdtemp())\n'
                  'scenarios.run_explode_blow_up(spark, str(scratch / "src"), str(scratch / "out"), group="explode")\n'
                  'assert {f.kind for f in report("explode")} == {"explode blow-up"}\n'
                  'scenarios.run_get_item_flattening(spark, str(scratch / "src"), str(scratch / "flat"), group="get")\n'
                  'assert report("get") == []'),
    new_markdown_cell("## How much execution memory does a task get?"),
    new_code_cell('from spark_performance_analyzer.sizing import task_memory_plan\n\n'
                  'plan = task_memory_plan(executor_memory_mib=512, cores=2, memory_fraction=0.05)\n'
                  'print("\\n".join(plan.steps))'),
    new_code_cell("spark.stop()"),
]

NOTEBOOKS = {
    "spark_ui_deep_dive.ipynb": SPARK_UI_DEEP_DIVE,
    "performance_troubleshooting.ipynb": PERFORMANCE_TROUBLESHOOTING,
}


def build(folder: Path) -> list[Path]:
    """Write every notebook into ``folder`` and return their paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        for number, cell in enumerate(cells):
            cell["id"] = f"{Path(name).stem}-{number}"  # stable ids keep regenerated files identical
        notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}})
        path = folder / name
        nbformat.write(notebook, path)
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(__file__).resolve().parent):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
