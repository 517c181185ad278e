"""``catalog-tools``: the local stack for people, not only for tests.

Run ``python -m catalog_tools.cli broker`` (or ``make broker``) to start the embedded broker,
print ready-to-paste client settings for every listener, and keep it running until Ctrl-C.
The credentials are random, generated for this run, and gone when the broker stops.

Example::

    $ make broker
    $ python -m catalog_tools.cli generate sensor-events --rows 1000 --to kafka ...
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from catalog_tools.kafka_broker import BrokerSettings, KafkaBroker, start_broker


def client_properties_text(broker: KafkaBroker, user: str | None, mechanism: str = "SCRAM-SHA-512") -> str:
    return "".join(f"{k}={v}\n" for k, v in broker.java_client_properties(user, mechanism).items())


def describe_broker(broker: KafkaBroker) -> str:
    """Return what a person needs to connect: bootstraps, CA file and per-user client properties."""
    sections = [
        f"PLAINTEXT bootstrap : {broker.plaintext_bootstrap}",
        f"SASL_SSL bootstrap  : {broker.sasl_ssl_bootstrap} ({', '.join(broker.settings.sasl_mechanisms)})",
        f"CA certificate      : {broker.ca_file}",
        f"broker log          : {broker.log_file}",
        "",
        "# PLAINTEXT client.properties",
        client_properties_text(broker, None),
    ]
    for name in broker.users:
        sections += [f"# SASL_SSL client.properties for {name} (throwaway password for this run)"]
        sections += [client_properties_text(broker, name)]
    return "\n".join(sections)


def run_broker(work_dir: Path | None, authorizer: bool) -> int:
    folder = work_dir or Path(tempfile.mkdtemp(prefix="catalog-broker-"))
    started = time.monotonic()
    broker = start_broker(folder, BrokerSettings(authorizer=authorizer))
    print(f"Kafka broker ready in {time.monotonic() - started:.1f}s\n")
    print(describe_broker(broker))
    print("Press Ctrl-C to stop.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while broker.is_running():
            time.sleep(1)
        print(f"broker exited; log tail:\n{broker.log_tail()}")
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        broker.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog-tools", description="The catalog's local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    broker = commands.add_parser("broker", help="start the embedded Kafka broker until Ctrl-C")
    broker.add_argument("--work-dir", type=Path, help="broker folder (default: a new temp folder)")
    broker.add_argument("--authorizer", action="store_true", help="enable the StandardAuthorizer (ACLs)")
    commands.add_parser("generate", help="generate data (see: catalog-tools generate --help)", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "broker":
        return run_broker(args.work_dir, args.authorizer)
    from catalog_tools.generators.cli import main as generate_main

    return generate_main(rest)


if __name__ == "__main__":
    sys.exit(main())
