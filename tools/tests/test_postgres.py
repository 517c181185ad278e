"""The PostgreSQL fixture: a real server with logical decoding, run as the postgres user."""
from __future__ import annotations

import os
import subprocess

import pytest

from catalog_tools.postgres import PostgresUnavailableError, postgres_bin_dir, start_postgres


def test_the_server_has_logical_decoding_on_and_answers_sql(postgres):
    assert postgres.psql("show wal_level") == "logical"
    assert postgres.psql("select 6 * 7") == "42"


def test_a_logical_replication_slot_with_pgoutput_can_be_created(postgres):
    postgres.psql("create table if not exists slot_probe (id int primary key)")
    postgres.psql("select pg_create_logical_replication_slot('pg_probe_slot', 'pgoutput')")
    try:
        assert postgres.psql("select plugin from pg_replication_slots where slot_name = 'pg_probe_slot'") == "pgoutput"
    finally:
        postgres.psql("select pg_drop_replication_slot('pg_probe_slot')")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root demotes the server to the postgres user")
def test_the_server_runs_as_the_postgres_user_not_root(postgres):
    owner = subprocess.run(["ps", "-o", "user=", "-p", str(postgres.process.pid)], capture_output=True,
                           text=True, check=True).stdout.strip()
    assert owner == "postgres"


def test_stop_ends_the_server_and_removes_its_folder():
    server = start_postgres()
    work_dir, pid = server.work_dir, server.process.pid
    server.stop()
    assert not work_dir.exists()
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
    server.stop()  # idempotent


def test_missing_binaries_are_named_with_how_to_install_them(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_config on PATH
    with pytest.raises(PostgresUnavailableError, match="apt-get install postgresql"):
        postgres_bin_dir(package_root=tmp_path)  # and no versioned bin folder
