"""Fixtures of this folder's tests (the shared ones come from catalog_tools); helpers live in helpers.py."""
from __future__ import annotations

import pytest
from helpers import FAULTS

from catalog_tools.generators import SensorEventBatch, sensor_event_messages


@pytest.fixture(scope="session")
def generated_batch() -> SensorEventBatch:
    return sensor_event_messages(200, seed=11, faults=FAULTS)
