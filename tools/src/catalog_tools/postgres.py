"""A real PostgreSQL server with logical decoding on, started from the Debian package's binaries.

PostgreSQL refuses to run as root, so when this process is root the server runs as the ``postgres``
user (``initdb`` through ``runuser -u postgres``, the server demoted to that user before it starts)
in a folder that user owns under the system temp folder: pytest's ``tmp_path`` lives under a
root-only folder the ``postgres`` user cannot enter. The server listens on a free port on
127.0.0.1 only, trusts loopback connections (a throwaway test server: no password to leak), and
has ``wal_level=logical`` so Debezium's ``pgoutput`` decoding works.

Example::

    >>> server = start_postgres()  # doctest: +SKIP
    >>> server.psql("select 1")  # doctest: +SKIP
    '1'
    >>> server.stop()  # doctest: +SKIP
"""
from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from catalog_tools.child_processes import tie_to_parent
from catalog_tools.kafka_broker import free_port

POSTGRES_USER = "postgres"
DEBIAN_PACKAGE_ROOT = Path("/usr/lib/postgresql")
INSTALL_HINT = "install it with `apt-get install postgresql` (Debian/Ubuntu) or your OS's package"
LOG_TAIL_LINES = 40
DEFAULT_SETTINGS = {
    "wal_level": "logical",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "listen_addresses": "127.0.0.1",
    # a throwaway server: losing it in a power cut costs nothing, and fsync per commit costs minutes
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "128MB",
    "max_connections": "50",
}


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL's binaries or the ``postgres`` user are missing on this machine."""


class PostgresStartError(RuntimeError):
    """The server did not initialise or become ready; the message ends with its log tail."""


def postgres_bin_dir(package_root: Path = DEBIAN_PACKAGE_ROOT) -> Path:
    """Return the folder holding ``initdb``, ``postgres`` and ``psql`` (``pg_config --bindir``).

    Raises PostgresUnavailableError naming what is missing and how to get it.
    """
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(result.stdout.strip()))
    candidates += sorted(Path(package_root).glob("*/bin"), reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "postgres", "psql", "pg_isready")):
            return folder
    raise PostgresUnavailableError(
        "expected PostgreSQL's initdb, postgres, psql and pg_isready (found by `pg_config --bindir` "
        f"or under {package_root}/*/bin), found none: {INSTALL_HINT}"
    )


def _server_account() -> pwd.struct_passwd | None:
    """The account the server runs as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"expected a '{POSTGRES_USER}' user to run PostgreSQL as (it refuses to run as root), "
            f"found none: {INSTALL_HINT}, which creates it"
        ) from None


def _demote_and_tie_to_parent(account: pwd.struct_passwd | None) -> None:
    """In the child: become the server's user, then ask Linux to kill it if we die."""
    if account is not None:
        os.setgid(account.pw_gid)
        os.initgroups(account.pw_name, account.pw_gid)
        os.setuid(account.pw_uid)
    tie_to_parent()  # after the user change, which clears the parent-death signal


@dataclass
class PostgresServer:
    """A running server and what clients need to reach it (user ``postgres``, no password)."""

    work_dir: Path
    port: int
    bin_dir: Path
    account: pwd.struct_passwd | None = field(default=None, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    remove_on_stop: bool = True

    host = "127.0.0.1"
    user = POSTGRES_USER

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "postgres.log"

    def conninfo(self, database: str = "postgres") -> str:
        """libpq connection string (psycopg, psql)."""
        return f"host={self.host} port={self.port} user={self.user} dbname={database}"

    def jdbc_url(self, database: str = "postgres") -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{database}"

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_file.exists():
            return "(no server log written)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with ``psql -At`` and return its output, stripped. Raises on any SQL error."""
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1",
             "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"expected psql to succeed, it exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str) -> None:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"expected a database name of letters, digits and '_', got {name!r}")
        self.psql(f"CREATE DATABASE {name}")

    def stop(self, timeout_s: float = 30.0) -> None:
        """Fast shutdown (SIGINT: roll back open transactions), SIGKILL if it lingers. Idempotent."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGINT)
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout_s)
            except ProcessLookupError:
                pass
        if self.remove_on_stop:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _owned_work_dir(account: pwd.struct_passwd | None) -> Path:
    work_dir = Path(tempfile.mkdtemp(prefix="catalog-postgres-"))
    if account is not None:
        os.chown(work_dir, account.pw_uid, account.pw_gid)
    return work_dir


def _initdb(server: PostgresServer) -> None:
    command = [str(server.bin_dir / "initdb"), "-D", str(server.data_dir), "-U", POSTGRES_USER,
               "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
    if server.account is not None:
        command = ["runuser", "-u", server.account.pw_name, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=server.work_dir)
    if result.returncode != 0:
        raise PostgresStartError(
            f"expected initdb to succeed in {server.data_dir}, it exited {result.returncode}:\n"
            f"{(result.stdout + result.stderr).strip()}"
        )


def _wait_until_ready(server: PostgresServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if not server.is_running():
            raise PostgresStartError(
                f"expected PostgreSQL to keep running, it exited with code "
                f"{server.process.returncode if server.process else None}; "
                f"log tail ({server.log_file}):\n{server.log_tail()}"
            )
        ready = subprocess.run(
            [str(server.bin_dir / "pg_isready"), "-q", "-h", server.host, "-p", str(server.port)],
            check=False,
        )
        if ready.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise PostgresStartError(
                f"expected PostgreSQL to accept connections on {server.host}:{server.port} within "
                f"{timeout_s:.0f}s, it did not; log tail ({server.log_file}):\n{server.log_tail()}"
            )
        time.sleep(0.2)


def start_postgres(
    settings: dict[str, str] | None = None, ready_timeout_s: float = 60.0
) -> PostgresServer:
    """Initialise and start a server in a fresh folder; return it once it accepts connections.

    ``settings`` override :data:`DEFAULT_SETTINGS` (``-c name=value`` on the server command line).
    The server stops at interpreter exit and is killed by the kernel if this process dies.
    Raises PostgresUnavailableError (binaries or user missing) or PostgresStartError (log tail).
    """
    bin_dir = postgres_bin_dir()
    account = _server_account()
    server = PostgresServer(work_dir=_owned_work_dir(account), port=free_port(), bin_dir=bin_dir,
                            account=account)
    try:
        _initdb(server)
        options = {**DEFAULT_SETTINGS, **(settings or {}), "port": str(server.port),
                   "unix_socket_directories": str(server.work_dir)}
        command = [str(bin_dir / "postgres"), "-D", str(server.data_dir)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        log = os.open(server.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            server.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=server.work_dir,
                preexec_fn=lambda: _demote_and_tie_to_parent(account),
            )
        finally:
            os.close(log)
        atexit.register(server.stop)
        _wait_until_ready(server, ready_timeout_s)
    except BaseException:
        server.remove_on_stop = False
        server.stop()
        raise
    return server
