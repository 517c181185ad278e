"""`make broker`: a person gets a running broker, paste-ready client properties, and Ctrl-C stops it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kafka import KafkaAdminClient


def read_until(stream, marker: str) -> list[str]:
    lines = []
    for line in stream:
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"expected {marker!r} in the output, got:\n" + "\n".join(lines))


def properties_after(lines: list[str], header: str) -> dict[str, str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(header)) + 1
    block = []
    for line in lines[start:]:
        if not line or line.startswith("#"):
            break
        block.append(line)
    return dict(line.split("=", 1) for line in block)


def the_work_dir(temp_folder: Path) -> Path:
    return next(p for p in temp_folder.iterdir() if p.name.startswith("catalog-broker-"))


def start_cli(tmp_path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the broker's temporary work directory goes here
    return subprocess.Popen([sys.executable, "-m", "catalog_tools.cli", "broker", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def test_broker_cli_prints_working_client_properties_and_ctrl_c_removes_its_secrets(tmp_path):
    cli = start_cli(tmp_path)
    try:
        lines = read_until(cli.stdout, "Press Ctrl-C")
        props = properties_after(lines, "# SASL_SSL client.properties for iot-app")
        password = props["sasl.jaas.config"].split('password="')[1].split('"')[0]
        work_dir = the_work_dir(tmp_path)
        assert (work_dir / "server.properties").exists() and list(work_dir.rglob("*.p12"))

        admin = KafkaAdminClient(
            bootstrap_servers=props["bootstrap.servers"], security_protocol="SASL_SSL",
            sasl_mechanism=props["sasl.mechanism"], sasl_plain_username="iot-app",
            sasl_plain_password=password, ssl_cafile=props["ssl.truststore.location"],
        )
        assert admin.describe_cluster()["brokers"]
        admin.close()

        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=60) == 0
        assert not work_dir.exists(), f"left behind: {sorted(p.name for p in work_dir.rglob('*'))}"
        assert any("removed on stop" in line for line in lines)
    finally:
        if cli.poll() is None:
            cli.kill()


def test_sigterm_also_leaves_no_key_keystore_or_scram_bootstrap_behind(tmp_path):
    cli = start_cli(tmp_path)
    try:
        read_until(cli.stdout, "Press Ctrl-C")
        work_dir = the_work_dir(tmp_path)

        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=60) == 0
        assert not work_dir.exists(), f"left behind: {sorted(p.name for p in work_dir.rglob('*'))}"
    finally:
        if cli.poll() is None:
            cli.kill()


def test_keep_keeps_the_work_directory_and_says_where(tmp_path):
    cli = start_cli(tmp_path, "--keep")
    try:
        read_until(cli.stdout, "Press Ctrl-C")
        cli.send_signal(signal.SIGINT)
        output = cli.communicate(timeout=60)[0]
        work_dir = the_work_dir(tmp_path)

        assert cli.returncode == 0
        assert (work_dir / "server.properties").exists()
        assert f"kept the broker's work directory {work_dir}" in output
    finally:
        if cli.poll() is None:
            cli.kill()
