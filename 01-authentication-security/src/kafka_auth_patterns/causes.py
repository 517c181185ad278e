"""The named causes the diagnoser can report, each with the fix from docs/auth-failure-playbook.md.

Example::

    >>> CAUSES["certificate_expired"].fix.startswith("Renew")
    True
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """One failure cause: a stable name (used as the playbook anchor), a summary and the fix."""

    name: str
    layer: str
    summary: str
    fix: str


def _causes(*causes: Cause) -> dict[str, Cause]:
    return {cause.name: cause for cause in causes}


CAUSES: dict[str, Cause] = _causes(
    Cause(
        "dns_unresolvable", "dns", "The bootstrap host name does not resolve.",
        "Check the spelling of bootstrap_servers; from the client's network run `getent hosts <host>`; "
        "on Databricks, check the workspace VNet's DNS servers and private DNS zones.",
    ),
    Cause(
        "connection_refused", "tcp", "Nothing listens on that host and port: broker down or wrong port.",
        "Check that the broker runs and that the port is the SASL_SSL listener's port from the broker's "
        "`listeners`/`advertised.listeners`, not the PLAINTEXT or CONTROLLER port.",
    ),
    Cause(
        "tcp_timeout", "tcp", "The TCP connection neither succeeded nor was refused in time (packets dropped).",
        "A firewall, security group or NSG drops the traffic: open the port from the client's subnet, "
        "or use the private endpoint the platform team published.",
    ),
    Cause(
        "plaintext_client_to_tls_listener", "tls",
        "The client speaks plaintext Kafka to a listener that expects TLS (SSL/SASL_SSL).",
        "Set security_protocol to SASL_SSL (or SSL) and configure the CA; the Java client otherwise only "
        "logs disconnects and times out.",
    ),
    Cause(
        "tls_client_to_plaintext_listener", "tls", "The client starts TLS but the listener speaks plaintext.",
        "Use the broker's SASL_SSL port, or set security_protocol to match the listener you connect to.",
    ),
    Cause(
        "ca_not_configured", "tls",
        "The broker's certificate is signed by a private CA and the client trusts only the system CAs.",
        "Set tls.ca_file (Java: ssl.truststore.location, type PEM or JKS/PKCS12) to the CA bundle that "
        "signed the broker certificate; get it from the platform team, never disable verification.",
    ),
    Cause(
        "wrong_ca", "tls", "The configured CA bundle did not sign the broker's certificate.",
        "Compare the broker certificate's issuer (shown in the TLS check) with the subjects in your CA "
        "bundle; during a CA rotation trust old and new CA together (docs/certificate-rotation.md).",
    ),
    Cause(
        "hostname_mismatch", "tls", "The host name in bootstrap_servers is not in the certificate's SAN.",
        "Connect with a host name listed in the certificate's subject alternative names (shown in the TLS "
        "check), or reissue the broker certificate with that name; do not turn off hostname verification.",
    ),
    Cause(
        "certificate_expired", "tls", "The broker's certificate (or a CA in its chain) has expired.",
        "Renew the broker certificate and reload it (dynamic keystore update, docs/certificate-rotation.md); "
        "check that the client's clock is right.",
    ),
    Cause(
        "certificate_not_yet_valid", "tls", "The broker's certificate is not valid yet.",
        "Fix the client's or broker's clock (NTP), or wait until the certificate's notBefore time.",
    ),
    Cause(
        "tls_handshake_failed", "tls", "The TLS handshake failed for a reason not classified above.",
        "Read the TLS error shown; compare TLS versions and cipher suites with the broker's "
        "ssl.enabled.protocols.",
    ),
    Cause(
        "mechanism_not_enabled", "sasl_mechanisms",
        "The broker does not offer the SASL mechanism the client asks for.",
        "Use one of the mechanisms the broker offers (shown in the check) or add the mechanism to the "
        "listener's sasl.enabled.mechanisms.",
    ),
    Cause(
        "authentication_failed", "authentication",
        "The broker rejected the credentials (wrong password, unknown user, or no credential for this "
        "SCRAM variant; the broker deliberately does not say which).",
        "Re-run the diagnoser with an admin config (--admin-config) to tell the three apart, or check the "
        "secret's current value and `kafka-configs --describe --entity-type users`.",
    ),
    Cause(
        "wrong_password", "authentication", "The user exists with this SCRAM mechanism but the password is wrong.",
        "Update the secret (the password was probably rotated on the broker but not in the secret scope), "
        "then restart the stream so it reads the new value.",
    ),
    Cause(
        "unknown_user", "authentication", "The broker has no SCRAM credentials at all for this user name.",
        "Check the user name for typos and environment (dev vs prod user); ask the platform team to create "
        "the user with `kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]'`.",
    ),
    Cause(
        "scram_credentials_missing_for_mechanism", "authentication",
        "The user exists but has no credential for the SCRAM variant the client uses (e.g. 256 vs 512).",
        "Use the SCRAM variant the user has credentials for (shown in the check), or add a credential for "
        "this variant on the broker.",
    ),
    Cause(
        "topic_authorization_failed", "topic_access", "Authenticated, but the principal may not access the topic.",
        "Ask for ACLs: `kafka-acls --add --allow-principal User:<user> --operation Read --operation Describe "
        "--topic <topic>` (and Read on the consumer group); check the topic name and prefix.",
    ),
    Cause(
        "topic_not_found", "topic_access", "Authenticated and authorized, but the topic does not exist.",
        "Check the topic name (case, environment prefix) or create the topic.",
    ),
    Cause(
        "metadata_failed", "metadata", "Authenticated, but the metadata request failed.",
        "Read the error shown; check advertised.listeners: the broker may advertise a host the client "
        "cannot reach.",
    ),
)


def cause(name: str) -> Cause:
    """Return the cause called ``name``.

    Example::

        >>> cause("wrong_ca").layer
        'tls'
    """
    try:
        return CAUSES[name]
    except KeyError:
        raise KeyError(f"expected one of the causes {sorted(CAUSES)}, got {name!r}") from None
