"""Inspect a PEM, PKCS12 or JKS file: subject, issuer, SAN, validity, CA flag and whether the chain links up.

JKS is read directly (the format is small and documented by the JDK's ``JavaKeyStore`` source), so
no Java is needed; with a password the keystore's integrity hash is checked, which tells a wrong
store password apart from a corrupt file.

Example::

    >>> for cert in inspect_certificate_file("truststore.jks", Secret("changeit")):  # doctest: +SKIP
    ...     print(cert.describe())
    CN=Plant A CA (CA) issued by CN=Plant A CA; SAN (none); valid until 2027-11-22 ...
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs12

from kafka_auth_patterns.secrets import Secret

JKS_MAGIC = 0xFEEDFEED
JKS_PRIVATE_KEY_ENTRY = 1
JKS_TRUSTED_CERT_ENTRY = 2
JKS_INTEGRITY_SALT = b"Mighty Aphrodite"  # fixed by the JDK's JKS format


class CertificateFileError(ValueError):
    """The file is not a readable PEM/PKCS12/JKS store, or the store password is wrong."""


@dataclass(frozen=True)
class CertificateSummary:
    """What an engineer checks first in a certificate."""

    subject: str
    issuer: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool
    sha256_fingerprint: str

    def days_left(self, now: dt.datetime | None = None) -> int:
        return (self.not_after - (now or dt.datetime.now(dt.UTC))).days

    @property
    def expired(self) -> bool:
        return self.not_after < dt.datetime.now(dt.UTC)

    def describe(self) -> str:
        san = ", ".join([*self.dns_names, *self.ip_addresses]) or "(none)"
        kind = " (CA)" if self.is_ca else ""
        state = "EXPIRED" if self.expired else f"{self.days_left()} days left"
        return (f"{self.subject}{kind} issued by {self.issuer}; SAN {san}; "
                f"valid until {self.not_after:%Y-%m-%d %H:%M} UTC ({state})")


def summarize(certificate: x509.Certificate) -> CertificateSummary:
    """Return the :class:`CertificateSummary` of a parsed certificate."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns_names, ips = (), ()
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateSummary(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        dns_names=dns_names,
        ip_addresses=ips,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        is_ca=is_ca,
        sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
    )


def _read_utf(data: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from(">H", data, offset)
    start = offset + 2
    return data[start:start + length].decode("utf-8"), start + length


def _read_jks_certificate(data: bytes, offset: int) -> tuple[x509.Certificate, int]:
    _cert_type, offset = _read_utf(data, offset)
    (length,) = struct.unpack_from(">i", data, offset)
    der = data[offset + 4:offset + 4 + length]
    return x509.load_der_x509_certificate(der), offset + 4 + length


def read_jks_certificates(data: bytes, password: Secret | None = None) -> list[x509.Certificate]:
    """Return every certificate in a JKS store (trusted entries and private-key chains).

    With ``password`` the store's SHA-1 integrity hash is checked; a mismatch raises
    :class:`CertificateFileError` ("wrong store password or corrupt file").
    """
    try:
        magic, _version, count = struct.unpack_from(">IiI", data, 0)
        if magic != JKS_MAGIC:
            raise CertificateFileError(f"expected the JKS magic number FEEDFEED, got {magic:08X}")
        offset, certificates = 12, []
        for _ in range(count):
            (tag,) = struct.unpack_from(">i", data, offset)
            _alias, offset = _read_utf(data, offset + 4)
            offset += 8  # creation timestamp
            if tag == JKS_PRIVATE_KEY_ENTRY:
                (key_length,) = struct.unpack_from(">i", data, offset)
                offset += 4 + key_length  # the encrypted key is never decrypted here
                (chain_length,) = struct.unpack_from(">i", data, offset)
                offset += 4
                for _ in range(chain_length):
                    certificate, offset = _read_jks_certificate(data, offset)
                    certificates.append(certificate)
            elif tag == JKS_TRUSTED_CERT_ENTRY:
                certificate, offset = _read_jks_certificate(data, offset)
                certificates.append(certificate)
            else:
                raise CertificateFileError(f"expected JKS entry tag 1 or 2, got {tag}")
    except (struct.error, ValueError) as error:
        if isinstance(error, CertificateFileError):
            raise
        raise CertificateFileError(f"expected a well-formed JKS store, got {type(error).__name__}") from None
    if password is not None:
        digest = hashlib.sha1(  # noqa: S324 - the JKS format defines SHA-1 here
            password.reveal().encode("utf-16-be") + JKS_INTEGRITY_SALT + data[:offset]
        ).digest()
        if not hmac.compare_digest(digest, data[offset:offset + 20]):
            raise CertificateFileError("expected the JKS integrity hash to match: wrong store password or corrupt file")
    return certificates


def load_certificates(path: str | Path, password: Secret | None = None) -> list[x509.Certificate]:
    """Read all certificates from a PEM bundle, a PKCS12 (.p12/.pfx) or a JKS file (detected by content)."""
    path = Path(path)
    if not path.is_file():
        raise CertificateFileError(f"expected a certificate file at {path}, found none")
    data = path.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    if data[:4] == JKS_MAGIC.to_bytes(4, "big"):
        return read_jks_certificates(data, password)
    try:
        key_and_certs = pkcs12.load_pkcs12(data, password.reveal().encode() if password else None)
    except ValueError:
        raise CertificateFileError(
            f"expected {path.name} to be PEM, JKS or PKCS12 readable with the given password; it is not "
            "(wrong store password, or another format)"
        ) from None
    return [c.certificate for c in key_and_certs.additional_certs] if key_and_certs.cert is None else [
        key_and_certs.cert.certificate, *(c.certificate for c in key_and_certs.additional_certs)]


def inspect_certificate_file(path: str | Path, password: Secret | None = None) -> list[CertificateSummary]:
    """Summaries of every certificate in ``path``, leaf first as stored.

    Example::

        >>> [c.subject for c in inspect_certificate_file("server.pem")]  # doctest: +SKIP
        ['CN=localhost,O=IoT catalog (test only)', 'CN=Plant A CA,O=IoT catalog (test only)']
    """
    return [summarize(certificate) for certificate in load_certificates(path, password)]


def chain_problems(certificates: list[x509.Certificate]) -> list[str]:
    """Check that each certificate is signed by the next one; return the problems found (empty = linked).

    Example::

        >>> chain_problems(load_certificates("server.pem"))  # doctest: +SKIP
        []
    """
    problems = []
    for child, parent in zip(certificates, certificates[1:], strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (InvalidSignature, ValueError, TypeError) as error:
            problems.append(f"{child.subject.rfc4514_string()} is not signed by {parent.subject.rfc4514_string()}: "
                            f"{type(error).__name__}")
    for certificate in certificates:
        if certificate.not_valid_after_utc < dt.datetime.now(dt.UTC):
            subject = certificate.subject.rfc4514_string()
            problems.append(f"{subject} expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    return problems
