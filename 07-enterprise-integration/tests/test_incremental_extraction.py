"""High-water-mark extraction over Spark JDBC from a real PostgreSQL: late commits and its blind spot."""
from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest

from enterprise_integration.incremental import (
    IncrementalOptionsError,
    JdbcIncrementalSource,
    run_incremental_extraction,
)


@pytest.fixture
def mes_database(postgres):
    name = f"inc_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    with psycopg.connect(postgres.conninfo(name), autocommit=True) as conn:
        conn.execute("CREATE TABLE work_orders (id bigint PRIMARY KEY, status text, "
                     "updated_at timestamptz NOT NULL DEFAULT now())")
        conn.execute("INSERT INTO work_orders (id, status) VALUES (1, 'new'), (2, 'new')")
    return name


def source_for(postgres, database, overlap=dt.timedelta(0)):
    return JdbcIncrementalSource(postgres.jdbc_url(database) + "?user=postgres", "public.work_orders",
                                 key_columns=("id",), watermark_column="updated_at", overlap=overlap)


def rows(spark, path):
    return sorted((r.id, r.status) for r in spark.read.format("delta").load(path).collect())


def late_commit_scenario(postgres, database, spark, source, target, state):
    """A transaction stamps row 1 (now() = its start), another commits row 3 later, a run reads in
    between, then the first commits: its row's stamp is below the mark that run stored."""
    with psycopg.connect(postgres.conninfo(database), autocommit=True) as late, \
         psycopg.connect(postgres.conninfo(database), autocommit=True) as other:
        with late.transaction():
            late.execute("UPDATE work_orders SET status = 'late', updated_at = now() WHERE id = 1")
            other.execute("INSERT INTO work_orders (id, status) VALUES (3, 'new')")  # commits now
            run_incremental_extraction(spark, source, target, state)                # sees 3, not 1
        return run_incremental_extraction(spark, source, target, state)            # after the commit


def test_without_an_overlap_a_late_committed_change_is_missed_for_good(spark, postgres, mes_database, tmp_path):
    source = source_for(postgres, mes_database)
    target, state = str(tmp_path / "work_orders"), str(tmp_path / "marks")
    run_incremental_extraction(spark, source, target, state)

    late_commit_scenario(postgres, mes_database, spark, source, target, state)

    assert rows(spark, target) == [(1, "new"), (2, "new"), (3, "new")]  # status 'late' never arrives


def test_an_overlap_window_rereads_late_commits_and_the_upsert_absorbs_the_repeats(
    spark, postgres, mes_database, tmp_path
):
    source = source_for(postgres, mes_database, overlap=dt.timedelta(minutes=5))
    target, state = str(tmp_path / "work_orders"), str(tmp_path / "marks")
    first = run_incremental_extraction(spark, source, target, state)

    last = late_commit_scenario(postgres, mes_database, spark, source, target, state)

    assert first.rows_read == 2 and last.rows_read == 3  # the overlap re-reads rows already loaded
    assert rows(spark, target) == [(1, "late"), (2, "new"), (3, "new")]


def test_a_hard_delete_at_the_source_is_never_seen_by_high_water_mark_extraction(
    spark, postgres, mes_database, tmp_path
):
    source = source_for(postgres, mes_database, overlap=dt.timedelta(minutes=5))
    target, state = str(tmp_path / "work_orders"), str(tmp_path / "marks")
    run_incremental_extraction(spark, source, target, state)
    with psycopg.connect(postgres.conninfo(mes_database), autocommit=True) as conn:
        conn.execute("DELETE FROM work_orders WHERE id = 2")

    run_incremental_extraction(spark, source, target, state)

    assert rows(spark, target) == [(1, "new"), (2, "new")]  # row 2 is gone at the source, not here


def test_options_are_checked_and_the_password_never_shows():
    with pytest.raises(IncrementalOptionsError, match="expected a plain SQL identifier"):
        JdbcIncrementalSource("jdbc:postgresql://db/mes", "work_orders; drop table x", ("id",), "updated_at")
    source = JdbcIncrementalSource("jdbc:postgresql://db/mes", "work_orders", ("id",), "updated_at",
                                   password="s3cret-value")
    assert "s3cret-value" not in repr(source)
