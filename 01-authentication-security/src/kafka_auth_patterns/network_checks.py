"""DNS, TCP and TLS checks with Python's standard library, each returning a :class:`CheckResult`.

Example::

    >>> check_dns("localhost", 9093).ok
    True
"""
from __future__ import annotations

import datetime as dt
import socket
import ssl
import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

# OpenSSL X509_V_ERR_* codes Python exposes as SSLCertVerificationError.verify_code
X509_CERT_NOT_YET_VALID = 9
X509_CERT_HAS_EXPIRED = 10
X509_SELF_SIGNED_LEAF = 18
X509_SELF_SIGNED_IN_CHAIN = 19
X509_UNABLE_TO_GET_ISSUER_LOCALLY = 20
X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
X509_HOSTNAME_MISMATCH = 62
UNTRUSTED_CODES = {
    X509_SELF_SIGNED_LEAF, X509_SELF_SIGNED_IN_CHAIN, X509_UNABLE_TO_GET_ISSUER_LOCALLY,
    X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one layer: ``cause`` names the failure (see causes.py), ``detail`` says what was seen."""

    layer: str
    ok: bool
    detail: str
    seconds: float
    cause: str | None = None
    error_text: str = ""


def _timed(start: float) -> float:
    return round(time.monotonic() - start, 3)


def check_dns(host: str, port: int) -> CheckResult:
    """Resolve ``host``; fails with cause ``dns_unresolvable``.

    Example::

        >>> check_dns("no-such-host.invalid", 9093).cause
        'dns_unresolvable'
    """
    start = time.monotonic()
    try:
        addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except socket.gaierror as error:
        return CheckResult("dns", False, f"{host} does not resolve", _timed(start), "dns_unresolvable", str(error))
    return CheckResult("dns", True, f"{host} resolves to {', '.join(addresses)}", _timed(start))


def check_tcp(host: str, port: int, timeout_s: float) -> CheckResult:
    """Open a TCP connection; fails with ``connection_refused`` or ``tcp_timeout``.

    Example::

        >>> check_tcp("localhost", 1, timeout_s=2).cause  # doctest: +SKIP
        'connection_refused'
    """
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except ConnectionRefusedError as error:
        return CheckResult(
            "tcp", False, f"{host}:{port} refused the connection", _timed(start), "connection_refused", str(error)
        )
    except TimeoutError as error:
        return CheckResult(
            "tcp", False, f"no answer from {host}:{port} within {timeout_s}s", _timed(start), "tcp_timeout",
            str(error) or "timed out",
        )
    except OSError as error:
        return CheckResult("tcp", False, f"{host}:{port} unreachable", _timed(start), "connection_refused", str(error))
    return CheckResult("tcp", True, f"{host}:{port} accepts TCP connections", _timed(start))


@dataclass(frozen=True)
class PeerCertificate:
    """What the broker presented, read without verification so a failed check can still show it."""

    subject: str
    issuer: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime

    def describe(self) -> str:
        san = ", ".join([*self.dns_names, *self.ip_addresses]) or "(none)"
        return (
            f"subject {self.subject}; issuer {self.issuer}; SAN {san}; "
            f"valid {self.not_before:%Y-%m-%d %H:%M} .. {self.not_after:%Y-%m-%d %H:%M} UTC"
        )


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f"CN={values[0].value}" if values else name.rfc4514_string()


def peer_certificate(der: bytes) -> PeerCertificate:
    """Parse a DER certificate into the facts a diagnosis shows."""
    certificate = x509.load_der_x509_certificate(der)
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns_names, ips = (), ()
    return PeerCertificate(
        subject=_common_name(certificate.subject),
        issuer=_common_name(certificate.issuer),
        dns_names=dns_names,
        ip_addresses=ips,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def fetch_peer_certificate(host: str, port: int, timeout_s: float) -> PeerCertificate | None:
    """Handshake without verification and return the leaf certificate, or None if no TLS is spoken."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    return peer_certificate(der) if der else None


def _ca_subjects(ca_file: str) -> list[str]:
    try:
        certificates = x509.load_pem_x509_certificates(open(ca_file, "rb").read())
    except (OSError, ValueError):
        return []
    return [_common_name(c.subject) for c in certificates]


def _classify_verify_error(error: ssl.SSLCertVerificationError, ca_file: str | None) -> str:
    code = error.verify_code
    if code == X509_CERT_HAS_EXPIRED:
        return "certificate_expired"
    if code == X509_CERT_NOT_YET_VALID:
        return "certificate_not_yet_valid"
    if code == X509_HOSTNAME_MISMATCH:
        return "hostname_mismatch"
    if code in UNTRUSTED_CODES:
        return "wrong_ca" if ca_file else "ca_not_configured"
    return "tls_handshake_failed"


def check_tls(host: str, port: int, ca_file: str | None, check_hostname: bool, timeout_s: float) -> CheckResult:
    """Verify the broker's chain, expiry and host name the way a Kafka client will.

    Example::

        >>> check_tls("localhost", 9093, "ca.pem", True, 5).detail  # doctest: +SKIP
        'TLSv1.3; subject CN=localhost; issuer CN=IoT catalog test CA; SAN localhost, 127.0.0.1; ...'
    """
    start = time.monotonic()
    presented = fetch_peer_certificate(host, port, timeout_s)
    shown = presented.describe() if presented else "no certificate presented"
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        return CheckResult(
            "tls", False, f"cannot load CA file {ca_file}", _timed(start), "wrong_ca",
            f"{type(error).__name__}: {error}",
        )
    context.check_hostname = check_hostname
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                version = tls.version()
    except ssl.SSLCertVerificationError as error:
        name = _classify_verify_error(error, ca_file)
        trusted = f"; CA file trusts {_ca_subjects(ca_file)}" if ca_file and name == "wrong_ca" else ""
        return CheckResult("tls", False, f"broker presented: {shown}{trusted}", _timed(start), name, str(error))
    except (ssl.SSLError, OSError) as error:
        # A TLS listener always completes an unverified handshake; when even that failed, the port is plaintext.
        if presented is None:
            return CheckResult(
                "tls", False, "the port accepted TCP but completed no TLS handshake: it is not a TLS listener",
                _timed(start), "tls_client_to_plaintext_listener", f"{type(error).__name__}: {error}",
            )
        return CheckResult(
            "tls", False, f"broker presented: {shown}", _timed(start), "tls_handshake_failed",
            f"{type(error).__name__}: {error}",
        )
    days_left = (presented.not_after - dt.datetime.now(dt.UTC)).days if presented else None
    expiry = f"; expires in {days_left} days" if days_left is not None else ""
    return CheckResult("tls", True, f"{version}; {shown}{expiry}", _timed(start))


def check_listener_is_not_tls(host: str, port: int, timeout_s: float) -> CheckResult:
    """For a plaintext client: fail with ``plaintext_client_to_tls_listener`` if the port speaks TLS."""
    start = time.monotonic()
    presented = fetch_peer_certificate(host, port, timeout_s)
    if presented is not None:
        return CheckResult(
            "tls", False, f"the port speaks TLS (certificate {presented.subject}) but the client is configured "
            "for plaintext", _timed(start), "plaintext_client_to_tls_listener",
            "TLS handshake succeeded on a port the client would use without TLS",
        )
    return CheckResult("tls", True, "no TLS on this port, as the client expects (plaintext)", _timed(start))
