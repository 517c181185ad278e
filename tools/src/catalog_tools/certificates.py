"""Generate a throwaway certificate authority and server certificates for TLS tests.

Nothing here is ever committed: tests and the embedded broker call these at run time and write
the files under a temporary folder.

Example::

    >>> ca = generate_ca("catalog test CA")
    >>> server = issue_certificate(ca, hostnames=["localhost"], ip_addresses=["127.0.0.1"])
    >>> paths = write_tls_files(tmp_path, ca, server, keystore_password="changeit")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_SIZE_BITS = 2048


@dataclass(frozen=True)
class CertifiedKey:
    """A certificate with its private key (never shown in a repr)."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey = field(repr=False)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the files a TLS listener and its clients need."""

    ca_pem: Path
    server_certificate_pem: Path
    server_key_pem: Path
    server_keystore_p12: Path
    keystore_password: str = field(repr=False)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "IoT catalog (test only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _validity(valid_from: dt.datetime | None, valid_days: int) -> tuple[dt.datetime, dt.datetime]:
    start = valid_from or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    return start, start + dt.timedelta(days=valid_days)


def generate_ca(
    common_name: str = "IoT catalog test CA",
    valid_days: int = 2,
    valid_from: dt.datetime | None = None,
) -> CertifiedKey:
    """Create a self-signed certificate authority able to sign server certificates."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE_BITS)
    not_before, not_after = _validity(valid_from, valid_days)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertifiedKey(certificate, key)


def issue_certificate(
    ca: CertifiedKey,
    hostnames: list[str],
    ip_addresses: list[str] | None = None,
    common_name: str | None = None,
    valid_days: int = 2,
    valid_from: dt.datetime | None = None,
) -> CertifiedKey:
    """Sign a server certificate whose subject alternative names are ``hostnames`` and IPs.

    ``valid_from`` and ``valid_days`` let a test build an expired or not-yet-valid certificate.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE_BITS)
    not_before, not_after = _validity(valid_from, valid_days)
    alternative_names: list[x509.GeneralName] = [x509.DNSName(h) for h in hostnames]
    alternative_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses or []]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name or (hostnames[0] if hostnames else "server")))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()),
            critical=False,
        )
        .sign(ca.private_key, hashes.SHA256())
    )
    return CertifiedKey(certificate, key)


def write_tls_files(
    folder: str | Path,
    ca: CertifiedKey,
    server: CertifiedKey,
    keystore_password: str,
    trusted_cas: list[CertifiedKey] | None = None,
) -> TlsFiles:
    """Write the CA bundle, the server certificate and key as PEM, and a PKCS12 keystore.

    ``trusted_cas`` replaces ``[ca]`` in the CA bundle, e.g. to trust an old and a new CA at
    once during a certificate rotation.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(
        ca_pem=folder / "ca.pem",
        server_certificate_pem=folder / "server.pem",
        server_key_pem=folder / "server-key.pem",
        server_keystore_p12=folder / "server.p12",
        keystore_password=keystore_password,
    )
    files.ca_pem.write_bytes(b"".join(c.certificate_pem() for c in trusted_cas or [ca]))
    files.server_certificate_pem.write_bytes(server.certificate_pem() + ca.certificate_pem())
    files.server_key_pem.write_bytes(server.private_key_pem())
    files.server_key_pem.chmod(0o600)
    files.server_keystore_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"server",
            key=server.private_key,
            cert=server.certificate,
            cas=[ca.certificate],
            encryption_algorithm=serialization.BestAvailableEncryption(keystore_password.encode()),
        )
    )
    files.server_keystore_p12.chmod(0o600)
    return files
