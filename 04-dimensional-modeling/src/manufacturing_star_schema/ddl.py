"""Run the star schema's Delta SQL files (``sql/*.sql``, shipped in this package) against a database.

``${database}`` in a file is replaced by the database name; statements are split on ``;`` at line ends.

Example::

    >>> tables = create_star_schema(spark, "manufacturing_dw")  # doctest: +SKIP
    >>> tables[:2]  # doctest: +SKIP
    ['dim_plant', 'dim_machine']
"""

from __future__ import annotations

import re
from importlib import resources

from pyspark.sql import SparkSession

from manufacturing_star_schema.errors import InvalidSpecError

DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ADD_CONSTRAINT = re.compile(r"^ALTER TABLE (\S+) ADD CONSTRAINT (\w+) CHECK", re.IGNORECASE)


def ddl_files() -> list[str]:
    """The packaged SQL file names, in execution order."""
    return sorted(
        p.name
        for p in resources.files("manufacturing_star_schema").joinpath("sql").iterdir()
        if p.name.endswith(".sql")
    )


def ddl_statements(file_name: str, database: str) -> list[str]:
    """The statements of one packaged file, comments dropped, ``${database}`` substituted."""
    if not DATABASE_NAME.match(database):
        raise InvalidSpecError(
            f"database: expected a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got {database!r}"
        )
    text = resources.files("manufacturing_star_schema").joinpath("sql", file_name).read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    code = code.replace("${database}", database)
    return [s.strip() for s in re.split(r";\s*$", code, flags=re.MULTILINE) if s.strip()]


def _constraint_exists(spark: SparkSession, statement: str) -> bool:
    """True when ``statement`` adds a CHECK constraint the table already has (Delta has no IF NOT EXISTS)."""
    match = ADD_CONSTRAINT.match(statement)
    if not match:
        return False
    table, name = match.groups()
    properties = {r["key"] for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}
    return f"delta.constraints.{name.lower()}" in properties


def create_star_schema(spark: SparkSession, database: str) -> list[str]:
    """Create the database and every table of the star schema; return the table names. Safe to rerun."""
    statements = {file_name: ddl_statements(file_name, database) for file_name in ddl_files()}
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    created = []
    for file_name, file_statements in statements.items():
        for statement in file_statements:
            if not _constraint_exists(spark, statement):
                spark.sql(statement)
        created.append(file_name.split("_", 1)[1].removesuffix(".sql"))
    return created
