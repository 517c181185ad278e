"""Every command in docs/certificates.md runs, and its shown output appears; the inspector reads PEM/P12/JKS."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files
from kafka_auth_patterns.certificate_inspector import (
    CertificateFileError,
    chain_problems,
    inspect_certificate_file,
    load_certificates,
)
from kafka_auth_patterns.secrets import Secret

DOC = Path(__file__).resolve().parent.parent / "docs" / "certificates.md"
STOREPASS = "truststore-pass-7"


def documented_commands(markdown: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every `$ ` line in the doc's ```console blocks."""
    commands: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", markdown, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif line.strip() and commands:
                commands[-1][1].append(line.strip())
    return commands


@pytest.fixture
def certificate_folder(kafka_sasl_ssl, tmp_path):
    """The session broker's CA, certificate chain and key, as a platform team would hand them over."""
    tls = kafka_sasl_ssl.tls_files
    for source, name in [(tls.ca_pem, "ca.pem"), (tls.server_certificate_pem, "server.pem"),
                         (tls.server_key_pem, "server-key.pem")]:
        shutil.copy(source, tmp_path / name)
    return tmp_path


@pytest.mark.skipif(not (shutil.which("keytool") and shutil.which("openssl")), reason="needs keytool and openssl")
def test_every_documented_command_runs_and_prints_what_the_doc_shows(kafka_sasl_ssl, certificate_folder):
    commands = documented_commands(DOC.read_text())
    env = os.environ | {"STOREPASS": STOREPASS, "BROKER": f"localhost:{kafka_sasl_ssl.sasl_ssl_port}",
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    assert len(commands) >= 10
    for command, expected_lines in commands:
        result = subprocess.run(["bash", "-c", command], cwd=certificate_folder, env=env,
                                capture_output=True, text=True, timeout=60)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{command}\n{output}"
        for line in expected_lines:
            assert line in output, f"{command}: expected {line!r} in\n{output}"


def test_inspector_reads_pem_pkcs12_and_jks_and_checks_the_jks_password(certificate_folder):
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore",
                    "trust.jks", "-storetype", "JKS", "-storepass:env", "STOREPASS"],
                   cwd=certificate_folder, env=os.environ | {"STOREPASS": STOREPASS}, check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-in", "server.pem", "-inkey", "server-key.pem", "-out",
                    "broker.p12", "-passout", "env:STOREPASS"],
                   cwd=certificate_folder, env=os.environ | {"STOREPASS": STOREPASS}, check=True, capture_output=True)

    pem = inspect_certificate_file(certificate_folder / "server.pem")
    p12 = inspect_certificate_file(certificate_folder / "broker.p12", Secret(STOREPASS))
    jks = inspect_certificate_file(certificate_folder / "trust.jks", Secret(STOREPASS))

    assert [(c.dns_names, c.is_ca) for c in pem] == [(("localhost",), False), ((), True)]
    assert [c.subject for c in p12] == [c.subject for c in pem]
    assert [c.sha256_fingerprint for c in jks] == [pem[1].sha256_fingerprint]  # the CA, read without Java
    assert chain_problems(load_certificates(certificate_folder / "server.pem")) == []
    with pytest.raises(CertificateFileError, match="wrong store password"):
        inspect_certificate_file(certificate_folder / "trust.jks", Secret("not-it"))
    with pytest.raises(CertificateFileError, match="wrong store password"):
        inspect_certificate_file(certificate_folder / "broker.p12", Secret("not-it"))


def test_chain_problems_names_a_foreign_issuer_and_an_expiry(tmp_path):
    plant_a, plant_b = generate_ca("Plant A CA"), generate_ca("Plant B CA")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    expired = issue_certificate(plant_a, ["localhost"], valid_days=10, valid_from=long_ago)
    files = write_tls_files(tmp_path, plant_b, expired, keystore_password="x")  # leaf from A, bundled with B

    problems = chain_problems(load_certificates(files.server_certificate_pem))

    assert any("is not signed by CN=Plant B CA" in p for p in problems)
    assert any("CN=localhost" in p and "expired on" in p for p in problems)
