"""Silver -> 08's contract gate -> 04's star schema: the gold fact table only ever holds rows that pass.

Each silver micro-batch is keyed against the machine dimension as of the event time (04's
``lookup_key_as_of``: an unknown machine gets the unknown member -1, never dropped by a join), then
gated by a contract (08's ``contract_gate_for_each_batch``): passing rows are appended to the fact
table, failing rows to its quarantine with the names of the rules they failed, both with the batch
id as Delta's ``txnVersion``, so a batch replayed after a restart writes nothing twice.

Example::

    star = StarPaths.under(root)
    register_machines(spark, star, machines_df)                 # 04's SCD2 dimension
    load_gated_facts(spark, contract, silver_path, star)        # drain silver through the gate
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from manufacturing_star_schema import Scd2Spec, ScdMergeResult, create_scd2_table, lookup_key_as_of, merge_scd2
from plant_case_studies.errors import CaseStudyInputError
from plant_data_quality import Contract, contract_gate_for_each_batch

MACHINE_SPEC = Scd2Spec(natural_key=("machine_id",))
"""The machine dimension: Type 2 on ``machine_id``, dated by ``change_ts``, hashed ``machine_sk``."""
MACHINE_ATTRIBUTES = T.StructType([T.StructField("machine_id", T.StringType()),
                                   T.StructField("plant_id", T.StringType()),
                                   T.StructField("line_id", T.StringType()),
                                   T.StructField("machine_type", T.StringType())])
FACT_COLUMNS = ("event_id", "machine_id", "plant_id", "line_id", "firmware_version", "event_time", "ingested_at",
                "temperature_c", "vibration_mm_s", "pressure_bar", "spindle_speed_rpm",
                "kafka_topic", "kafka_partition", "kafka_offset")
"""The silver columns the fact table keeps (silver's parsing and writer columns stay in silver)."""


@dataclass(frozen=True)
class StarPaths:
    """Where the star schema, its contract quarantine and results, and the fact stream's checkpoint live."""

    root: str

    @classmethod
    def under(cls, root: str) -> StarPaths:
        return cls(root.rstrip("/"))

    @property
    def dim_machine(self) -> str:
        return f"{self.root}/tables/dim_machine"

    @property
    def fact_reading(self) -> str:
        return f"{self.root}/tables/fact_sensor_reading"

    @property
    def fact_quarantine(self) -> str:
        return f"{self.root}/tables/fact_sensor_reading_quarantine"

    @property
    def dq_results(self) -> str:
        return f"{self.root}/tables/dq_results"

    @property
    def fact_checkpoint(self) -> str:
        return f"{self.root}/checkpoints/fact_sensor_reading"


def register_machines(spark: SparkSession, star: StarPaths, changes: DataFrame) -> ScdMergeResult:
    """Apply machine registrations (``machine_id, plant_id, line_id, machine_type, change_ts``) with 04's SCD2."""
    expected = [f.name for f in MACHINE_ATTRIBUTES.fields] + [MACHINE_SPEC.change_ts_column]
    missing = [c for c in expected if c not in changes.columns]
    if missing:
        raise CaseStudyInputError(f"expected machine changes with columns {expected}, missing {missing}")
    if not DeltaTable.isDeltaTable(spark, star.dim_machine):
        create_scd2_table(spark, star.dim_machine, MACHINE_ATTRIBUTES, MACHINE_SPEC)
    return merge_scd2(spark, star.dim_machine, changes.select(*expected), MACHINE_SPEC)


def keyed_contract_gate(spark: SparkSession, contract: Contract, star: StarPaths,
                        app_id: str) -> Callable[[DataFrame, int], None]:
    """A ``foreachBatch`` function: key each silver batch with the machine dimension, then gate it.

    The dimension is read again for every batch, so a machine registered while the stream runs is
    known from the next batch on. The contract may reference it as dimension ``machines``.
    """
    if not app_id:
        raise CaseStudyInputError(f"expected a non-empty app_id for idempotent fact writes, got {app_id!r}")

    def gate_batch(silver_batch: DataFrame, batch_id: int) -> None:
        missing = [c for c in FACT_COLUMNS if c not in silver_batch.columns]
        if missing:
            raise CaseStudyInputError(f"expected silver columns {list(FACT_COLUMNS)}, missing {missing}")
        dimension = spark.read.format("delta").load(star.dim_machine)
        keyed = lookup_key_as_of(silver_batch.select(*FACT_COLUMNS), dimension, {"machine_id": "machine_id"},
                                 "event_time", MACHINE_SPEC.surrogate_key_column)
        current = dimension.where(dimension[MACHINE_SPEC.is_current])
        gate = contract_gate_for_each_batch(contract, star.fact_reading, star.fact_quarantine, star.dq_results,
                                            app_id=app_id, dimensions={"machines": current})
        gate(keyed, batch_id)

    return gate_batch


def load_gated_facts(spark: SparkSession, contract: Contract, silver_path: str, star: StarPaths,
                     app_id: str = "fact-sensor-reading") -> None:
    """Drain silver (a Delta stream) through :func:`keyed_contract_gate` into the fact table, then stop."""
    (spark.readStream.format("delta").load(silver_path).writeStream.queryName(f"{app_id}-gate")
     .foreachBatch(keyed_contract_gate(spark, contract, star, app_id))
     .option("checkpointLocation", star.fact_checkpoint).trigger(availableNow=True).start().awaitTermination())
