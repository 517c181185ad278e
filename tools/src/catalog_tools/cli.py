"""``catalog-tools``: the local stack for people, not only for tests.

Run ``python -m catalog_tools.cli broker`` (or ``make broker``) to start the embedded broker,
print ready-to-paste client settings for every listener, and keep it running until Ctrl-C.
The credentials are random, generated for this run, and gone when the broker stops: its work
directory (private key, keystore, SCRAM bootstrap, data, logs) is removed unless ``--keep``.

Example::

    $ make broker
    $ python -m catalog_tools.cli generate sensor-events --rows 1000 --to kafka ...
"""
from __future__ import annotations

import argparse
import shutil
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


class WorkDirNotEmptyError(ValueError):
    """``--work-dir`` names a folder that already holds files: the broker needs a folder of its own."""


def broker_work_dir(requested: Path | None) -> Path:
    """A fresh folder for the broker: ``requested`` (absent or empty), else a new temporary folder."""
    if requested is None:
        return Path(tempfile.mkdtemp(prefix="catalog-broker-"))
    if requested.exists() and any(requested.iterdir()):
        raise WorkDirNotEmptyError(f"--work-dir: expected an absent or empty folder, {requested} holds files")
    requested.mkdir(parents=True, exist_ok=True)
    return requested


def stop_and_clean(broker: KafkaBroker | None, folder: Path, keep: bool) -> None:
    """Stop the broker, then remove its folder (private key, keystore, SCRAM bootstrap, data, logs)."""
    if broker is not None:
        broker.stop()
    if keep:
        print(f"kept the broker's work directory {folder} (it holds the broker's private key and passwords)")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def run_broker(work_dir: Path | None, authorizer: bool, keep: bool = False) -> int:
    """Start a broker, print how to connect, and run until Ctrl-C, SIGTERM or SIGHUP.

    On stop the work directory is removed unless ``keep`` is set, in which case its path is printed.
    """
    folder = broker_work_dir(work_dir)
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, exit_on_signal)
    # Ctrl-C stops the broker even when the shell started this process with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    broker: KafkaBroker | None = None
    try:
        started = time.monotonic()
        print(f"work directory      : {folder} ({'kept' if keep else 'removed on stop; --keep keeps it'})",
              flush=True)
        broker = start_broker(folder, BrokerSettings(authorizer=authorizer))
        print(f"Kafka broker ready in {time.monotonic() - started:.1f}s\n")
        print(describe_broker(broker))
        print("Press Ctrl-C to stop.", flush=True)
        while broker.is_running():
            time.sleep(1)
        print(f"broker exited; log tail:\n{broker.log_tail()}")
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        # a second Ctrl-C must not cut the cleanup short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_and_clean(broker, folder, keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog-tools", description="The catalog's local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    broker = commands.add_parser("broker", help="start the embedded Kafka broker until Ctrl-C")
    broker.add_argument("--work-dir", type=Path, help="broker folder (default: a new temp folder)")
    broker.add_argument("--authorizer", action="store_true", help="enable the StandardAuthorizer (ACLs)")
    broker.add_argument("--keep", action="store_true",
                        help="keep the work directory (key, keystore, passwords, data, logs) after stopping")
    commands.add_parser("generate", help="generate data (see: catalog-tools generate --help)", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "broker":
        return run_broker(args.work_dir, args.authorizer, args.keep)
    from catalog_tools.generators.cli import main as generate_main

    return generate_main(rest)


if __name__ == "__main__":
    sys.exit(main())
