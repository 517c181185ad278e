"""Throwaway TLS material: a CA, a server certificate with the right SANs, a PKCS12 keystore."""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files


def test_server_certificate_names_localhost_and_loopback_and_is_signed_by_the_ca(tmp_path):
    ca = generate_ca()
    server = issue_certificate(ca, hostnames=["localhost"], ip_addresses=["127.0.0.1"])

    san = server.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    server.certificate.verify_directly_issued_by(ca.certificate)


def test_written_files_load_in_python_ssl_and_pkcs12(tmp_path):
    ca = generate_ca()
    files = write_tls_files(tmp_path, ca, issue_certificate(ca, ["localhost"]), keystore_password="pw-123")

    context = ssl.create_default_context(cafile=str(files.ca_pem))
    context.load_cert_chain(files.server_certificate_pem, files.server_key_pem)
    key, certificate, chain = pkcs12.load_key_and_certificates(files.server_keystore_p12.read_bytes(), b"pw-123")
    assert key is not None and certificate is not None and len(chain) == 1
    assert oct(files.server_key_pem.stat().st_mode & 0o777) == "0o600"


def test_expired_certificate_can_be_made_for_failure_tests():
    ca = generate_ca()
    last_year = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)

    expired = issue_certificate(ca, ["localhost"], valid_from=last_year, valid_days=30)

    assert expired.certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)


def test_rotation_bundle_trusts_old_and_new_ca(tmp_path):
    old_ca, new_ca = generate_ca("old CA"), generate_ca("new CA")

    files = write_tls_files(
        tmp_path, new_ca, issue_certificate(new_ca, ["localhost"]), "pw", trusted_cas=[old_ca, new_ca]
    )

    assert len(x509.load_pem_x509_certificates(files.ca_pem.read_bytes())) == 2
    assert "private_key" not in repr(old_ca)
