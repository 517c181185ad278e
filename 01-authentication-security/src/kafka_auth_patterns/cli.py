"""``kafka-auth-diagnose``: print a layered diagnosis of a YAML client config, exit 1 on failure.

Secret references are resolved from environment variables (``{{secrets/kafka/pw}}`` reads
``KAFKA_PW``) and, with ``--secrets-dir``, from one-file-per-secret folders.

Example::

    $ kafka-auth-diagnose configs/scram-sha-512.yaml --topic plant.sensor-readings.v1
    Kafka connection diagnosis for broker-1.plant-a.example:9093 (SASL_SSL, SCRAM-SHA-512 as iot-app)
      [ ok ] dns ...
"""
from __future__ import annotations

import argparse
import sys

from kafka_auth_patterns.config import ConfigValidationError, load_client_config
from kafka_auth_patterns.diagnoser import diagnose_connection
from kafka_auth_patterns.secrets import (
    ChainSecretProvider,
    EnvironmentSecretProvider,
    FileSecretProvider,
    SecretNotFoundError,
    SecretProvider,
)

EXIT_OK = 0
EXIT_DIAGNOSED_FAILURE = 1
EXIT_BAD_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kafka-auth-diagnose", description=__doc__.splitlines()[0])
    parser.add_argument("config", help="YAML client config (see configs/)")
    parser.add_argument("--topic", help="also check that the principal may describe this topic")
    parser.add_argument("--admin-config", help="super user's YAML config: tells wrong password / unknown user apart")
    parser.add_argument("--secrets-dir", help="folder with <scope>/<key> secret files, tried after the environment")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per layer (default 5)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the diagnoser; return 0 when every layer passed, 1 on a diagnosed failure, 2 on a bad config."""
    args = _parser().parse_args(argv)
    providers: list[SecretProvider] = [EnvironmentSecretProvider()]
    if args.secrets_dir:
        providers.append(FileSecretProvider(args.secrets_dir))
    provider = ChainSecretProvider(providers)
    try:
        config = load_client_config(args.config, provider)
        admin = load_client_config(args.admin_config, provider) if args.admin_config else None
    except (ConfigValidationError, SecretNotFoundError) as error:
        print(f"config error: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    diagnosis = diagnose_connection(config, topic=args.topic, admin_config=admin, timeout_s=args.timeout)
    print(diagnosis.report())
    return EXIT_OK if diagnosis.ok else EXIT_DIAGNOSED_FAILURE


if __name__ == "__main__":
    sys.exit(main())
