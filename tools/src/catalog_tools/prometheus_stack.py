"""Prometheus, Alertmanager and the pushgateway from Debian's packages, without a system install.

The three ``.deb`` files are fetched with ``apt-get download`` and unpacked with ``dpkg -x`` into a
cache folder outside the repository (``~/.cache/catalog-prometheus-stack`` by default, or
``CATALOG_PROMETHEUS_DIR``). Each service then runs as a child process on a free loopback port, in
a temporary folder, with the configuration files written at run time by the caller.

Debian's Alertmanager 0.25 reads its notification templates from the fixed folder
``/usr/share/prometheus/alertmanager`` (upstream embeds them in the binary; a normal
``apt-get install`` puts them there). To start it from the cache alone, the cached copy of the binary
has that folder constant replaced by ``./././...`` of the same length, which makes Go look for
``default.tmpl`` and ``email.tmpl`` in its working directory; the service's folder gets the
package's own two template files. Nothing outside the cache and the temporary folder is written.

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
ALERTMANAGER_TEMPLATE_DIR = b"/usr/share/prometheus/alertmanager"
ALERTMANAGER_TEMPLATES = ("default.tmpl", "email.tmpl")
READY_TIMEOUT_S = 60.0
LOG_TAIL_LINES = 30


class PrometheusStackUnavailable(RuntimeError):
    """The Debian packages cannot be obtained or unpacked here; the message says why."""


class ServiceStartError(RuntimeError):
    """A service did not become ready; the message ends with the tail of its log."""


@dataclass(frozen=True)
class StackBinaries:
    """Paths of the unpacked executables and of Alertmanager's templates."""

    bin_dir: Path
    alertmanager_home: Path

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


def _patch_alertmanager(root: Path, home: Path) -> None:
    """Copy Alertmanager and its templates into ``home``, reading templates from its working dir."""
    binary = (root / "usr/bin/prometheus-alertmanager").read_bytes()
    # the folder constant is followed directly by other string data, never by '/'
    occurrences = binary.count(ALERTMANAGER_TEMPLATE_DIR)
    standalone = [
        i for i in _find_all(binary, ALERTMANAGER_TEMPLATE_DIR)
        if binary[i + len(ALERTMANAGER_TEMPLATE_DIR):i + len(ALERTMANAGER_TEMPLATE_DIR) + 1] != b"/"
    ]
    if len(standalone) != 1:
        raise PrometheusStackUnavailable(
            f"expected Alertmanager's template folder constant once in the binary, found it "
            f"{len(standalone)} times ({occurrences} occurrences in all)"
        )
    start = standalone[0]
    replacement = b"./" * (len(ALERTMANAGER_TEMPLATE_DIR) // 2) + b"." * (len(ALERTMANAGER_TEMPLATE_DIR) % 2)
    patched = binary[:start] + replacement + binary[start + len(ALERTMANAGER_TEMPLATE_DIR):]
    home.mkdir(parents=True, exist_ok=True)
    target = home / "prometheus-alertmanager"
    target.write_bytes(patched)
    target.chmod(0o755)
    for template in ALERTMANAGER_TEMPLATES:
        shutil.copyfile(root / "usr/share/prometheus/alertmanager" / template, home / template)


def _find_all(data: bytes, needle: bytes) -> list[int]:
    found, start = [], data.find(needle)
    while start != -1:
        found.append(start)
        start = data.find(needle, start + 1)
    return found


def unpacked_binaries(base: Path | None = None) -> StackBinaries:
    """Download and unpack the three packages once (under a file lock), then return their paths.

    Raises PrometheusStackUnavailable when apt-get/dpkg are missing or the download fails.
    """
    base = base or cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    root, home = base / "root", base / "alertmanager"
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((root / "usr/bin" / name).exists() for name in BINARIES):
            _download_packages(base / "debs")
            for deb in sorted((base / "debs").glob("*.deb")):
                result = _run(["dpkg", "-x", str(deb), str(root)])
                if result.returncode != 0:
                    raise PrometheusStackUnavailable(f"`dpkg -x {deb.name}` failed: {result.stderr.strip()}")
        if not (home / "prometheus-alertmanager").exists():
            _patch_alertmanager(root, home)
    return StackBinaries(bin_dir=root / "usr/bin", alertmanager_home=home)


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
    for template in ALERTMANAGER_TEMPLATES:
        shutil.copyfile(binaries.alertmanager_home / template, work_dir / template)
    (work_dir / "alertmanager.yml").write_text(config_yaml)
    port = free_port()
    command = [
        str(binaries.alertmanager_home / "prometheus-alertmanager"),
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
