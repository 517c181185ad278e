"""Prometheus, Alertmanager and the pushgateway from Debian's packages, without a system install.

The three ``.deb`` files are fetched with ``apt-get download`` and unpacked with ``dpkg -x`` into a
cache folder outside the repository (``~/.cache/catalog-prometheus-stack`` by default, or
``CATALOG_PROMETHEUS_DIR``). Each service then runs as a child process on a free loopback port, in
a temporary folder, with the configuration files written at run time by the caller.

Debian's Alertmanager 0.25 reads its notification templates from the fixed folder
``/usr/share/prometheus/alertmanager`` (upstream embeds them in the binary; a normal
``apt-get install`` puts them there). Where that folder is absent, the unmodified binary runs in a
private mount namespace (``unshare --user --map-root-user --mount``) in which the cached package's
``usr/share`` is overlaid on the system's: the process finds its own package's templates at the path
it was built for, and nothing outside the cache and the temporary folder is written or changed.

Example::

    >>> binaries = unpacked_binaries()  # doctest: +SKIP
    >>> gateway = start_pushgateway(binaries, tmp_path / "pushgateway")  # doctest: +SKIP
    >>> gateway.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    >>> gateway.stop()  # doctest: +SKIP
"""
from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

CACHE_ENV = "CATALOG_PROMETHEUS_DIR"
DEBIAN_PACKAGES = ("prometheus", "prometheus-alertmanager", "prometheus-pushgateway")
BINARIES = ("prometheus", "promtool", "prometheus-alertmanager", "prometheus-pushgateway", "amtool")
SYSTEM_SHARE_DIR = Path("/usr/share")
ALERTMANAGER_TEMPLATE_DIR = SYSTEM_SHARE_DIR / "prometheus" / "alertmanager"
READY_TIMEOUT_S = 60.0
LOG_TAIL_LINES = 30


class PrometheusStackUnavailable(RuntimeError):
    """The Debian packages cannot be obtained or unpacked here; the message says why."""


class ServiceStartError(RuntimeError):
    """A service did not become ready; the message ends with the tail of its log."""


@dataclass(frozen=True)
class StackBinaries:
    """Paths of the unpacked executables and of the packages' shared files (Alertmanager's templates)."""

    bin_dir: Path
    share_dir: Path

    def path(self, name: str) -> Path:
        if name not in BINARIES:
            raise ValueError(f"expected one of {BINARIES}, got {name!r}")
        return self.bin_dir / name

    @property
    def promtool(self) -> Path:
        return self.path("promtool")


@dataclass
class RunningService:
    """A started service: its base URL, process and working folder."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    work_dir: Path

    @property
    def log_file(self) -> Path:
        return self.work_dir / f"{self.name}.log"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the service (SIGTERM, then SIGKILL after ``timeout_s``)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout_s)


def cache_dir() -> Path:
    """Return the folder the packages are downloaded and unpacked into."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "catalog-prometheus-stack"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _download_packages(debs_dir: Path) -> None:
    for tool in ("apt-get", "dpkg"):
        if shutil.which(tool) is None:
            raise PrometheusStackUnavailable(f"expected `{tool}` (a Debian-based system), found none on PATH")
    debs_dir.mkdir(parents=True, exist_ok=True)
    result = _run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=debs_dir)
    if result.returncode != 0 and "Unable to locate package" in result.stderr:
        _run(["apt-get", "update"])
        result = _run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=debs_dir)
    if result.returncode != 0:
        raise PrometheusStackUnavailable(
            f"`apt-get download {' '.join(DEBIAN_PACKAGES)}` exited {result.returncode}: "
            f"{result.stderr.strip()[-500:]}"
        )


def alertmanager_launcher(binaries: StackBinaries) -> list[str]:
    """Return the command prefix under which Debian's Alertmanager finds its templates.

    Nothing when the templates are installed at the system path (``apt-get install``); otherwise a
    private user and mount namespace in which the cached ``usr/share`` is overlaid on the system's.
    Raises PrometheusStackUnavailable when neither is possible here.

    Example::

        >>> alertmanager_launcher(unpacked_binaries())[:4]  # doctest: +SKIP
        ['unshare', '--user', '--map-root-user', '--mount']
    """
    if (ALERTMANAGER_TEMPLATE_DIR / "default.tmpl").exists():
        return []
    lower = f"{binaries.share_dir}:{SYSTEM_SHARE_DIR}"
    if any(char in str(binaries.share_dir) for char in ":,"):
        raise PrometheusStackUnavailable(
            f"expected a cache folder without ':' or ',' (overlay options), got {binaries.share_dir}; "
            f"set {CACHE_ENV} to another folder"
        )
    prefix = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
              f'mount -t overlay overlay -o lowerdir={lower} {SYSTEM_SHARE_DIR} && exec "$0" "$@"']
    probe = _run([*prefix, "true"])
    if probe.returncode != 0:
        raise PrometheusStackUnavailable(
            f"expected Alertmanager's templates in {ALERTMANAGER_TEMPLATE_DIR} or user namespaces to "
            f"overlay the cached ones there, found neither ({probe.stderr.strip()[-300:]}); "
            "`apt-get install prometheus-alertmanager` provides the templates"
        )
    return prefix


def unpacked_binaries(base: Path | None = None) -> StackBinaries:
    """Download and unpack the three packages once (under a file lock), then return their paths.

    Raises PrometheusStackUnavailable when apt-get/dpkg are missing or the download fails.
    """
    base = base or cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    root = base / "root"
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((root / "usr/bin" / name).exists() for name in BINARIES):
            _download_packages(base / "debs")
            for deb in sorted((base / "debs").glob("*.deb")):
                result = _run(["dpkg", "-x", str(deb), str(root)])
                if result.returncode != 0:
                    raise PrometheusStackUnavailable(f"`dpkg -x {deb.name}` failed: {result.stderr.strip()}")
    return StackBinaries(bin_dir=root / "usr/bin", share_dir=root / "usr/share")


def _start(name: str, command: list[str], work_dir: Path, url: str, cwd: Path) -> RunningService:
    work_dir.mkdir(parents=True, exist_ok=True)
    log = open(work_dir / f"{name}.log", "wb")  # noqa: SIM115 - the child process owns it
    process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    service = RunningService(name=name, url=url, process=process, work_dir=work_dir)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if not service.is_running():
            raise ServiceStartError(
                f"{name} exited with {process.returncode} before it was ready:\n{service.log_tail()}"
            )
        try:
            if requests.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return service
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    service.stop()
    raise ServiceStartError(f"{name} not ready at {url} within {READY_TIMEOUT_S:.0f} s:\n{service.log_tail()}")


def start_prometheus(
    binaries: StackBinaries, work_dir: Path, config_yaml: str, files: dict[str, str] | None = None
) -> RunningService:
    """Start Prometheus with ``config_yaml`` (plus e.g. rule ``files``, written beside it).

    The config may name the extra files by their bare names (``rule_files: [alerts.yml]``):
    Prometheus resolves them relative to the config file's folder.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {}).items():
        (work_dir / name).write_text(text)
    (work_dir / "prometheus.yml").write_text(config_yaml)
    port = free_port()
    command = [
        str(binaries.path("prometheus")),
        f"--config.file={work_dir / 'prometheus.yml'}",
        f"--storage.tsdb.path={work_dir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
    ]
    return _start("prometheus", command, work_dir, f"http://127.0.0.1:{port}", work_dir)


def start_alertmanager(binaries: StackBinaries, work_dir: Path, config_yaml: str) -> RunningService:
    """Start Alertmanager (one node, no cluster listener) with ``config_yaml``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "alertmanager.yml").write_text(config_yaml)
    port = free_port()
    command = [
        *alertmanager_launcher(binaries),
        str(binaries.path("prometheus-alertmanager")),
        f"--config.file={work_dir / 'alertmanager.yml'}",
        f"--storage.path={work_dir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    return _start("alertmanager", command, work_dir, f"http://127.0.0.1:{port}", work_dir)


def start_pushgateway(binaries: StackBinaries, work_dir: Path) -> RunningService:
    """Start a pushgateway (in-memory, no persistence file)."""
    port = free_port()
    command = [str(binaries.path("prometheus-pushgateway")), f"--web.listen-address=127.0.0.1:{port}"]
    return _start("pushgateway", command, work_dir, f"http://127.0.0.1:{port}", work_dir)


class PrometheusStack:
    """Starts services under one folder and stops every one of them at the end.

    Example::

        >>> stack = PrometheusStack(unpacked_binaries(), tmp_path)  # doctest: +SKIP
        >>> gateway = stack.pushgateway()  # doctest: +SKIP
        >>> stack.stop_all()  # doctest: +SKIP
    """

    def __init__(self, binaries: StackBinaries, work_dir: Path) -> None:
        self.binaries = binaries
        self.work_dir = work_dir
        self.services: list[RunningService] = []

    def _track(self, service: RunningService) -> RunningService:
        self.services.append(service)
        return service

    def prometheus(self, config_yaml: str, files: dict[str, str] | None = None) -> RunningService:
        folder = self.work_dir / f"prometheus-{len(self.services)}"
        return self._track(start_prometheus(self.binaries, folder, config_yaml, files))

    def alertmanager(self, config_yaml: str) -> RunningService:
        folder = self.work_dir / f"alertmanager-{len(self.services)}"
        return self._track(start_alertmanager(self.binaries, folder, config_yaml))

    def pushgateway(self) -> RunningService:
        return self._track(start_pushgateway(self.binaries, self.work_dir / f"pushgateway-{len(self.services)}"))

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()
        self.services.clear()
