"""Fault knobs for generated sensor events and the exact counts of what was injected.

The contract (every category below is disjoint from the others):

* ``base_events`` distinct events are generated; each has a unique ``event_id``.
* Of those, exactly ``malformed_json`` have a payload that is not valid JSON,
  ``missing_required`` lack ``event_id`` or ``machine_id``, and ``out_of_range`` carry a
  physically impossible ``temperature_c``. The rest are ``valid_unique`` events.
* ``duplicates`` extra messages are byte-identical re-sends of valid on-time events.
* Among the valid events, ``late`` ones are older than the running maximum event time minus
  ``allowed_lateness_s``; ``out_of_order`` ones are older than that maximum but within the
  lateness. Both are attributes of valid events, not extra messages.

So ``total_messages == valid_unique + duplicates + malformed_json + missing_required + out_of_range``.

Example::

    >>> plan = FaultPlan(duplicate_rate=0.1, malformed_rate=0.02)
    >>> plan.exact_counts(1000).duplicates
    100
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from catalog_tools.generators.plants import InvalidGeneratorArgumentError, require_in_range


class InvalidFaultPlanError(InvalidGeneratorArgumentError):
    """A fault knob is out of range, or the faults do not fit in the number of events."""


@dataclass(frozen=True)
class FaultCounts:
    """Exactly what a generated batch contains; see the module docstring for the contract."""

    base_events: int
    valid_unique: int
    duplicates: int
    malformed_json: int
    missing_required: int
    out_of_range: int
    late: int
    out_of_order: int
    hot_machine_events: int

    @property
    def total_messages(self) -> int:
        return self.base_events + self.duplicates

    @property
    def bad_records(self) -> int:
        return self.malformed_json + self.missing_required + self.out_of_range

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total_messages": self.total_messages, "bad_records": self.bad_records}


@dataclass(frozen=True)
class FaultPlan:
    """Rates of each fault, turned into exact counts with :meth:`exact_counts` (rounded half up).

    ``hot_machine_share`` of all events come from the first ``hot_machines`` machines (key skew).
    """

    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    out_of_order_rate: float = 0.0
    malformed_rate: float = 0.0
    missing_required_rate: float = 0.0
    out_of_range_rate: float = 0.0
    hot_machine_share: float = 0.0
    hot_machines: int = 2
    allowed_lateness_s: int = 600

    def __post_init__(self) -> None:
        for name in ("duplicate_rate", "late_rate", "out_of_order_rate", "malformed_rate",
                     "missing_required_rate", "out_of_range_rate", "hot_machine_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InvalidFaultPlanError(f"{name}: expected a rate in [0.0, 1.0], got {value!r}")
        require_in_range("hot_machines", self.hot_machines, 1, 1000)
        require_in_range("allowed_lateness_s", self.allowed_lateness_s, 1, 7 * 24 * 3600)

    def exact_counts(self, base_events: int) -> FaultCounts:
        """Return the exact number of each fault for ``base_events`` events."""
        def count(rate: float) -> int:
            return int(base_events * rate + 0.5)

        malformed, missing, out_of_range = (
            count(self.malformed_rate), count(self.missing_required_rate), count(self.out_of_range_rate)
        )
        valid = base_events - malformed - missing - out_of_range
        late, out_of_order = count(self.late_rate), count(self.out_of_order_rate)
        duplicates = count(self.duplicate_rate)
        displaced = late + out_of_order
        on_time = valid - displaced
        if valid < 0 or (displaced and on_time < 1) or duplicates > max(on_time, 0):
            raise InvalidFaultPlanError(
                f"expected the faults to fit in {base_events} events: {malformed + missing + out_of_range} bad "
                f"records leave {valid} valid events, which must hold {late} late + {out_of_order} out-of-order "
                f"events and at least one on-time event per duplicate ({duplicates})"
            )
        return FaultCounts(
            base_events=base_events, valid_unique=valid, duplicates=duplicates, malformed_json=malformed,
            missing_required=missing, out_of_range=out_of_range, late=late, out_of_order=out_of_order,
            hot_machine_events=count(self.hot_machine_share),
        )
