"""The monitoring job, written with databricks-bundles' typed models instead of YAML.

It runs 05-performance-optimization's analyzer (wheel entry point ``spark-perf-analyze``) against
the Spark UI / History Server every hour; a run fails (exit 1) when a stage crossed a threshold.
"""
from databricks.bundles.jobs import Job


def performance_monitoring_job(target: str) -> Job:
    """The hourly analyzer job; ``${var...}`` references resolve per target like YAML ones."""
    return Job.from_dict(
        {
            "name": f"performance-monitoring-{target}",
            "max_concurrent_runs": 1,
            "timeout_seconds": 900,
            "tags": {"cost_center": "${var.cost_center}", "pattern": "05-performance-optimization"},
            "schedule": {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC"},
            "job_clusters": [{"job_cluster_key": "ml", "new_cluster": "${var.ml_cluster}"}],
            "tasks": [
                {
                    "task_key": "analyze_stages",
                    "job_cluster_key": "ml",
                    "max_retries": 0,
                    "python_wheel_task": {
                        "package_name": "spark_performance_analyzer",
                        "entry_point": "spark-perf-analyze",
                        "parameters": ["--url", "${var.spark_history_url}"],
                    },
                    "libraries": [{"whl": "../../05-performance-optimization/dist/*.whl"}],
                }
            ],
        }
    )
