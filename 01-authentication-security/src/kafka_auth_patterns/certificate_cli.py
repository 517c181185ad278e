"""``python -m kafka_auth_patterns.certificate_cli FILE [--password-env VAR]``: list the certificates in a file.

Prints one line per certificate (subject, issuer, SAN, expiry) and whether the chain links up;
exits 1 when the chain is broken or a certificate has expired.

Example::

    $ python -m kafka_auth_patterns.certificate_cli truststore.jks --password-env STOREPASS
    CN=Plant A CA,O=... (CA) issued by CN=Plant A CA,O=...; SAN (none); valid until 2027-11-22 10:00 UTC (364 days left)
    chain: OK
"""
from __future__ import annotations

import argparse
import os
import sys

from kafka_auth_patterns.certificate_inspector import (
    CertificateFileError,
    chain_problems,
    load_certificates,
    summarize,
)
from kafka_auth_patterns.secrets import Secret


def main(argv: list[str] | None = None) -> int:
    """Print the certificates in a PEM/PKCS12/JKS file; return 0 if the chain is OK, 1 if not, 2 if unreadable."""
    parser = argparse.ArgumentParser(prog="kafka-auth-certificates", description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--password-env", help="environment variable holding the store password")
    args = parser.parse_args(argv)
    password = None
    if args.password_env:
        if args.password_env not in os.environ:
            print(f"expected environment variable {args.password_env} to hold the store password, it is not set",
                  file=sys.stderr)
            return 2
        password = Secret(os.environ[args.password_env])
    try:
        certificates = load_certificates(args.file, password)
    except CertificateFileError as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    for certificate in certificates:
        print(summarize(certificate).describe())
    problems = chain_problems(certificates)
    print("chain: OK" if not problems else "chain: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
