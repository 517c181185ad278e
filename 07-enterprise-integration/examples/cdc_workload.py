"""A random DML workload on a MES ``work_orders`` table in PostgreSQL: the source side of the CDC flow.

Run it against any PostgreSQL with logical decoding on (the demo and the tests start one)::

    python examples/cdc_workload.py --conninfo "host=127.0.0.1 port=5432 user=postgres dbname=mes" \\
        --seed-rows 1000 --operations 5000

It creates ``work_orders`` (REPLICA IDENTITY FULL, so deletes carry the whole row), seeds it, then runs
inserts, updates, deletes and primary-key changes in small transactions, optionally paced to a rate.
"""
from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field

import psycopg

STATUSES = ("new", "released", "started", "paused", "done", "scrapped")
COLUMNS = ("id", "status", "qty", "line", "updated_at")


@dataclass
class WorkloadStats:
    """How many of each operation ran (committed)."""

    inserts: int = 0
    updates: int = 0
    deletes: int = 0
    key_changes: int = 0

    @property
    def operations(self) -> int:
        return self.inserts + self.updates + self.deletes + self.key_changes


def create_work_orders(conn: psycopg.Connection, seed_rows: int) -> None:
    """Create and seed the table (ids 1..seed_rows) in one transaction."""
    with conn.transaction():
        conn.execute(
            "CREATE TABLE work_orders (id bigint PRIMARY KEY, status text NOT NULL, qty numeric(10,2), "
            "line integer, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        conn.execute("ALTER TABLE work_orders REPLICA IDENTITY FULL")
        conn.execute(
            "INSERT INTO work_orders (id, status, qty, line) SELECT g, 'new', (g %% 1000) / 4.0, g %% 7 "
            "FROM generate_series(1, %s) g",
            (seed_rows,),
        )


def add_shift_column(conn: psycopg.Connection) -> None:
    """The schema change mid-run: a nullable column, as a MES upgrade would add it."""
    conn.execute("ALTER TABLE work_orders ADD COLUMN shift text")


@dataclass
class WorkOrderWorkload:
    """Random operations on live keys; ``with_shift`` once the ``shift`` column exists."""

    conn: psycopg.Connection
    seed: int = 7
    with_shift: bool = False
    stats: WorkloadStats = field(default_factory=WorkloadStats)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.live = [row[0] for row in self.conn.execute("SELECT id FROM work_orders").fetchall()]
        self.next_id = max(self.live, default=0) + 1

    def _values(self) -> dict:
        values = {"status": self.rng.choice(STATUSES), "qty": round(self.rng.uniform(0, 500), 2),
                  "line": self.rng.randrange(7)}
        if self.with_shift:
            values["shift"] = self.rng.choice(("A", "B", "C", None))
        return values

    def _one(self) -> None:
        roll = self.rng.random()
        if roll < 0.35 or len(self.live) < 10:
            values = self._values()
            names = ", ".join(["id", *values])
            marks = ", ".join(["%s"] * (len(values) + 1))
            self.conn.execute(f"INSERT INTO work_orders ({names}) VALUES ({marks})",
                              (self.next_id, *values.values()))
            self.live.append(self.next_id)
            self.next_id += 1
            self.stats.inserts += 1
        elif roll < 0.80:
            values = self._values()
            assignments = ", ".join(f"{name} = %s" for name in values)
            key = self.rng.choice(self.live)
            self.conn.execute(f"UPDATE work_orders SET {assignments}, updated_at = clock_timestamp() "
                              "WHERE id = %s", (*values.values(), key))
            self.stats.updates += 1
        elif roll < 0.98:
            key = self.live.pop(self.rng.randrange(len(self.live)))
            self.conn.execute("DELETE FROM work_orders WHERE id = %s", (key,))
            self.stats.deletes += 1
        else:
            self.change_key()

    def change_key(self) -> tuple[int, int]:
        """UPDATE ... SET id = new: Debezium sends a delete of the old key and a create of the new."""
        index = self.rng.randrange(len(self.live))
        old, new = self.live[index], self.next_id
        self.conn.execute("UPDATE work_orders SET id = %s WHERE id = %s", (new, old))
        self.live[index] = new
        self.next_id += 1
        self.stats.key_changes += 1
        return old, new

    def run(self, operations: int, per_transaction: int = 5, rate_per_s: float | None = None) -> WorkloadStats:
        """Run ``operations`` operations in transactions of ``per_transaction``; pace to ``rate_per_s``."""
        started = time.monotonic()
        done = 0
        while done < operations:
            size = min(per_transaction, operations - done)
            with self.conn.transaction():
                for _ in range(size):
                    self._one()
            done += size
            if rate_per_s:
                ahead = started + done / rate_per_s - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
        return self.stats


def source_rows(conn: psycopg.Connection, columns: tuple[str, ...]) -> list[tuple]:
    """Every row of the table, ordered by id, as tuples of ``columns``."""
    return conn.execute(f"SELECT {', '.join(columns)} FROM work_orders ORDER BY id").fetchall()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conninfo", required=True, help="libpq connection string")
    parser.add_argument("--seed-rows", type=int, default=1000)
    parser.add_argument("--operations", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=None, help="operations per second (default: flat out)")
    args = parser.parse_args(argv)
    with psycopg.connect(args.conninfo, autocommit=True) as conn:
        create_work_orders(conn, args.seed_rows)
        stats = WorkOrderWorkload(conn).run(args.operations, rate_per_s=args.rate)
    print(f"{stats.operations} operations: {stats.inserts} inserts, {stats.updates} updates, "
          f"{stats.deletes} deletes, {stats.key_changes} primary-key changes")


if __name__ == "__main__":
    main()
