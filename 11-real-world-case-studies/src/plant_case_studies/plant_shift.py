"""Case study 1's scenario: the machines registered at BER1 and MTY1, and one shift of their readings.

The example and the tests produce the same records, so what the README shows is what the tests
check. MTY1's replaced edge gateway tags three readings with its own machine name, a gateway
restart cuts one record off, and one reading is re-sent after a timeout.

Example::

    records = shift_records()             # 13 (key, value) pairs in topic order
    register_machines(spark, star, machine_registrations(spark))
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pyspark.sql import DataFrame, SparkSession

SHIFT_START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
REGISTERED = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
MACHINES = (  # machine_id, plant_id, line_id, machine_type: the machines registered in dim_machine
    ("M-0101", "BER1", "BER1-L1", "press"),
    ("M-0102", "BER1", "BER1-L1", "cnc"),
    ("M-0201", "MTY1", "MTY1-L1", "press"),
    ("M-0202", "MTY1", "MTY1-L1", "cnc"),
)


def reading(event_id: str, machine_id: str, plant_id: str, line_id: str, second: int, temperature_c: float,
            firmware_version: str = "2.4.1", **extra: Any) -> dict[str, Any]:
    """One sensor event as the plants' edge gateways publish it, ``second`` seconds into the shift."""
    event_time = SHIFT_START + dt.timedelta(seconds=second)
    return {"event_id": event_id, "machine_id": machine_id, "plant_id": plant_id, "line_id": line_id,
            "firmware_version": firmware_version, "event_time": event_time.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "temperature_c": temperature_c, "vibration_mm_s": 2.5, "pressure_bar": 6.0, **extra}


def shift_records() -> list[tuple[bytes, bytes]]:
    """The shift as Kafka (key, value) pairs in topic order: keyed by machine, the cut-off record unkeyed."""
    ber = [reading(f"ber1-e{i}", m, "BER1", "BER1-L1", 5 * i, 60.0 + i) for i, m in
           enumerate(["M-0101", "M-0102", "M-0101", "M-0102"], start=1)]
    mty = [reading(f"mty1-e{i}", m, "MTY1", "MTY1-L1", 5 * i, 70.0 + i) for i, m in
           enumerate(["M-0201", "M-0202", "M-0201", "M-0202"], start=1)]
    # MTY1's replaced edge gateway names machines by its own tag, which no dimension knows:
    gateway = [reading(f"mty1-gw-e{i}", "MTY1-PRESS-07", "MTY1", "MTY1-L1", 30 + i, 72.0) for i in range(3)]
    resent = ber[0]  # the gateway re-sent ber1-e1 after a timeout: at-least-once delivery
    records = [(e["machine_id"].encode(), json.dumps(e).encode()) for e in [*ber, *mty, *gateway]]
    cut_off = (b"", b'{"event_id": "ber1-e9", "machine_id": "M-01')  # a gateway restart cut this record off
    return [*records, cut_off, (resent["machine_id"].encode(), json.dumps(resent).encode())]


def machine_registrations(spark: SparkSession) -> DataFrame:
    """The machine registrations, as 04's SCD2 dimension loads them (``register_machines``)."""
    return spark.createDataFrame([(*m, REGISTERED) for m in MACHINES],
                                 "machine_id string, plant_id string, line_id string, machine_type string, "
                                 "change_ts timestamp")
