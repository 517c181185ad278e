"""Start a real broker, write a YAML client config, and run the diagnoser CLI on a good and a broken config.

Run it from the folder (about 30 s)::

    cd 01-authentication-security && ../.venv/bin/python examples/diagnose_local_broker.py

The password reaches the config through ``{{secrets/kafka/iot-app-password}}``, resolved from the
environment variable ``KAFKA_IOT_APP_PASSWORD``; it never appears in the printed reports.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from catalog_tools.kafka_broker import start_broker
from kafka_auth_patterns.cli import main as diagnose

CONFIG = """\
bootstrap_servers: [{bootstrap}]
security_protocol: SASL_SSL
sasl:
  mechanism: SCRAM-SHA-512
  username: iot-app
  password: "{{{{secrets/kafka/iot-app-password}}}}"
tls:
  ca_file: {ca_file}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        broker = start_broker(Path(folder) / "broker")
        try:
            config = Path(folder) / "client.yaml"
            config.write_text(CONFIG.format(bootstrap=broker.sasl_ssl_bootstrap, ca_file=broker.ca_file))
            for label, password in [("current password", broker.user("iot-app").password),
                                    ("stale password", "password-before-rotation")]:
                os.environ["KAFKA_IOT_APP_PASSWORD"] = password
                print(f"$ kafka-auth-diagnose client.yaml   # {label}")
                print(f"(exit code {diagnose([str(config)])})\n")
        finally:
            broker.stop()


if __name__ == "__main__":
    main()
