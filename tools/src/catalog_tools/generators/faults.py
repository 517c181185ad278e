"""Fault knobs for generated sensor events, and the exact counts of what a batch contains.

The contract. ``n`` base events are generated, each with its own ``event_id``. Every base
event is in exactly one of four categories:

* ``malformed_json``: the payload is cut in half, so it is not parseable JSON;
* ``missing_required``: parseable, but ``event_id``, ``machine_id`` or ``event_time`` is absent;
* ``out_of_range``: complete, but one metric lies outside ``METRIC_RANGES``;
* ``valid_unique``: everything else, which splits into ``on_time``, ``out_of_order`` and ``late``
  by comparing ``event_time`` with the running maximum event time of the valid events before it
  in message order: ``on_time`` is not older than that maximum, ``out_of_order`` is older by
  at most ``allowed_lateness_s / 2``, ``late`` is older by 1.5 to 2 times ``allowed_lateness_s``.
  (The gaps make a micro-batch watermark agree: see tools/GENERATORS.md.)

On top, ``duplicates`` messages are byte-identical re-sends (same key, value, timestamp) of
``on_time`` events, sent 0-5 messages after their original. Hence::

    total_messages == valid_unique + duplicates + malformed_json + missing_required + out_of_range
    valid_unique == on_time + out_of_order + late
    base_events == valid_unique + malformed_json + missing_required + out_of_range

``hot_machine_events`` base events (duplicates not included) come from the hot machines; every
message's Kafka key is its machine id, even when the payload lacks ``machine_id``.

Each knob is a rate of ``n`` (rounded half up in decimal arithmetic) or an exact count.

Example::

    >>> counts = FaultPlan(duplicate_rate=0.1, malformed_json=3).exact_counts(1000)
    >>> counts.duplicates, counts.malformed_json, counts.total_messages
    (100, 3, 1100)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from catalog_tools.generators.common import (
    InvalidGeneratorArgumentError,
    exact_count,
    require_count,
)

# rate knob -> the count knob (and FaultCounts field) it turns into
RATE_TO_COUNT: dict[str, str] = {
    "duplicate_rate": "duplicates",
    "late_rate": "late",
    "out_of_order_rate": "out_of_order",
    "malformed_rate": "malformed_json",
    "missing_required_rate": "missing_required",
    "out_of_range_rate": "out_of_range",
    "hot_machine_share": "hot_machine_events",
}


class InvalidFaultPlanError(InvalidGeneratorArgumentError):
    """A fault knob is out of range, given twice, or the faults do not fit in the events."""


@dataclass(frozen=True)
class FaultCounts:
    """Exactly what a generated batch contains; see the module docstring for the contract."""

    base_events: int
    valid_unique: int
    on_time: int
    out_of_order: int
    late: int
    duplicates: int
    malformed_json: int
    missing_required: int
    out_of_range: int
    hot_machine_events: int
    total_messages: int

    def __post_init__(self) -> None:
        for field in fields(self):
            require_count(field.name, getattr(self, field.name), high=10**12)
        equations = {
            "total_messages": (self.total_messages, self.valid_unique + self.duplicates
                               + self.bad_records),
            "valid_unique": (self.valid_unique, self.on_time + self.out_of_order + self.late),
            "base_events": (self.base_events, self.valid_unique + self.bad_records),
        }
        for name, (actual, expected) in equations.items():
            if actual != expected:
                raise InvalidFaultPlanError(
                    f"{name}: expected {expected} from the other counts, got {actual}"
                )

    @property
    def bad_records(self) -> int:
        """Messages a pipeline must quarantine: malformed + missing required + out of range."""
        return self.malformed_json + self.missing_required + self.out_of_range

    def as_dict(self) -> dict[str, int]:
        """Every count by name, plus ``bad_records``."""
        return {**asdict(self), "bad_records": self.bad_records}


@dataclass(frozen=True)
class FaultPlan:
    """What to inject into ``n`` sensor events: each fault as a rate of ``n`` or an exact count.

    Give a fault either as its rate (``late_rate=0.02``) or as its count (``late=40``), not both.
    ``hot_machine_share`` / ``hot_machine_events`` of the base events come from the first
    ``hot_machines`` machines of the hierarchy (key skew). ``allowed_lateness_s`` separates late
    from out-of-order events.
    """

    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    out_of_order_rate: float = 0.0
    malformed_rate: float = 0.0
    missing_required_rate: float = 0.0
    out_of_range_rate: float = 0.0
    hot_machine_share: float = 0.0
    duplicates: int | None = None
    late: int | None = None
    out_of_order: int | None = None
    malformed_json: int | None = None
    missing_required: int | None = None
    out_of_range: int | None = None
    hot_machine_events: int | None = None
    hot_machines: int = 2
    allowed_lateness_s: int = 600

    def __post_init__(self) -> None:
        for rate_name, count_name in RATE_TO_COUNT.items():
            rate, count = getattr(self, rate_name), getattr(self, count_name)
            is_number = isinstance(rate, int | float) and not isinstance(rate, bool)
            if not is_number or not 0.0 <= rate <= 1.0:
                raise InvalidFaultPlanError(
                    f"{rate_name}: expected a rate in [0.0, 1.0], got {rate!r}"
                )
            if count is not None:
                if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    raise InvalidFaultPlanError(
                        f"{count_name}: expected a count >= 0 or None, got {count!r}"
                    )
                if rate:
                    raise InvalidFaultPlanError(
                        f"{count_name}: expected either {rate_name} or {count_name}, "
                        f"got both ({rate_name}={rate!r}, {count_name}={count!r})"
                    )
        for name, low, high in (("hot_machines", 1, 1000), ("allowed_lateness_s", 2, 7 * 86400)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidFaultPlanError(
                    f"{name}: expected an int in [{low}, {high}], got {value!r}"
                )

    def count_of(self, rate_name: str, base_events: int) -> int:
        """The exact count of one fault for ``base_events`` events."""
        count = getattr(self, RATE_TO_COUNT[rate_name])
        return count if count is not None else exact_count(base_events, getattr(self, rate_name))

    def exact_counts(self, base_events: int) -> FaultCounts:
        """Return the exact number of each fault for ``base_events`` events, or raise if they do
        not fit (bad records beyond ``n``, displaced events without an on-time event before them,
        more duplicates than on-time events)."""
        require_count("n", base_events)
        counts = {name: self.count_of(name, base_events) for name in RATE_TO_COUNT}
        bad = sum(counts[name] for name in
                  ("malformed_rate", "missing_required_rate", "out_of_range_rate"))
        valid = base_events - bad
        displaced = counts["late_rate"] + counts["out_of_order_rate"]
        on_time = valid - displaced
        problems = []
        if valid < 0:
            problems.append(f"{bad} bad records in {base_events} events")
        elif on_time < (1 if displaced else 0):
            problems.append(f"{displaced} late + out-of-order events need at least {displaced + 1} "
                            f"valid events (one on time first), got {valid}")
        elif counts["duplicate_rate"] > on_time:
            problems.append(f"{counts['duplicate_rate']} duplicates need as many on-time events, "
                            f"got {on_time}")
        if counts["hot_machine_share"] > base_events:
            problems.append(f"{counts['hot_machine_share']} hot-machine events in {base_events}")
        if problems:
            raise InvalidFaultPlanError(f"expected the faults to fit in {base_events} events: "
                                        + "; ".join(problems))
        return FaultCounts(
            base_events=base_events,
            valid_unique=valid,
            on_time=on_time,
            out_of_order=counts["out_of_order_rate"],
            late=counts["late_rate"],
            duplicates=counts["duplicate_rate"],
            malformed_json=counts["malformed_rate"],
            missing_required=counts["missing_required_rate"],
            out_of_range=counts["out_of_range_rate"],
            hot_machine_events=counts["hot_machine_share"],
            total_messages=valid + counts["duplicate_rate"] + bad,
        )
