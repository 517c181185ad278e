"""Workloads the tests, benchmarks, examples and notebooks run: deliberately bad Spark jobs and their fixes,
partition-layout jobs, a manufacturing star schema and the queries people run on it.

They are not part of the analyzer package (``src/spark_performance_analyzer``): copy that package to
analyze your own jobs; this folder only makes the analyzer's claims reproducible here. Scripts run from
the folder put the folder root on ``sys.path``; pytest does it through ``pythonpath`` in pyproject.toml.

Example::

    >>> from workloads.scenarios import run_skewed_join
    >>> run_skewed_join(spark, group="skewed-join")  # doctest: +SKIP
"""
