"""Deliberately bad Spark jobs and their fixed versions, each run under its own job group.

The analyzer is proved on these: each bad job must produce exactly its finding, each fixed job
must not. Sizes are laptop-scale; the ratios are what a billion-row job shows in production.

Example::

    >>> run_skewed_join(spark, job_group="skewed-join")  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

NO_AQE_NO_BROADCAST = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.shuffle.partitions": "8",
}


@contextmanager
def job_group(spark: SparkSession, group: str, conf: dict[str, str] | None = None) -> Iterator[None]:
    """Run the block's jobs under ``group`` with temporary SQL settings, restored afterwards."""
    previous = {key: spark.conf.get(key, None) for key in conf or {}}
    for key, value in (conf or {}).items():
        spark.conf.set(key, value)
    spark.sparkContext.setJobGroup(group, group)
    try:
        yield
    finally:
        spark.sparkContext.setJobGroup("", "")
        for key, value in previous.items():
            spark.conf.unset(key) if value is None else spark.conf.set(key, value)


def skewed_readings(spark: SparkSession, rows: int, hot_share: float = 0.9) -> DataFrame:
    """Readings where ``hot_share`` of rows belong to machine 0 (one chatty machine)."""
    return spark.range(0, rows, 1, 16).select(
        F.when(F.rand(seed=7) < hot_share, F.lit(0)).otherwise((F.col("id") % 997) + 1).alias("machine_key"),
        (F.rand(seed=11) * 100).alias("temperature_c"),
        F.sha2(F.col("id").cast("string"), 256).alias("payload"),
    )


def machines(spark: SparkSession, count: int = 998) -> DataFrame:
    return spark.range(count).select(F.col("id").alias("machine_key"), F.concat(F.lit("M-"), "id").alias("machine"))


def calibrations(spark: SparkSession, count: int = 50_000) -> DataFrame:
    """A table too large to broadcast: one calibration record per machine key."""
    return spark.range(count).select(F.col("id").alias("machine_key"),
                                     F.sha2(F.concat(F.lit("cal"), "id"), 256).alias("calibration"))


def run_skewed_join(spark: SparkSession, group: str = "skewed-join", rows: int = 1_000_000) -> None:
    """Sort-merge join on a key where one machine holds 90% of the rows, AQE off."""
    with job_group(spark, group, NO_AQE_NO_BROADCAST):
        joined = skewed_readings(spark, rows).join(calibrations(spark), "machine_key")
        joined.write.format("noop").mode("overwrite").save()


def run_few_keys_skewed_window(spark: SparkSession, group: str = "few-keys-skew", rows: int = 1_000_000,
                               keys: int = 21, hot_share: float = 0.95, partitions: int = 64) -> None:
    """Each reading's previous value per machine (a window by machine) over only ``keys`` machines,
    ``hot_share`` of the rows on one of them.

    With more shuffle partitions than keys most tasks read nothing, so the median task's bytes
    are 0: the shape of skew that a max/median rule cannot see.
    """
    conf = {**NO_AQE_NO_BROADCAST, "spark.sql.shuffle.partitions": str(partitions)}
    with job_group(spark, group, conf):
        readings = spark.range(0, rows, 1, 16).select(
            F.when(F.rand(seed=13) < hot_share, F.lit(0)).otherwise((F.col("id") % (keys - 1)) + 1)
            .alias("machine_key"),
            F.col("id").alias("reading_id"),
            (F.rand(seed=17) * 100).alias("temperature_c"),
        )
        per_machine = Window.partitionBy("machine_key").orderBy("reading_id")
        (readings.withColumn("previous_temperature_c", F.lag("temperature_c").over(per_machine))
         .write.format("noop").mode("overwrite").save())


def run_salted_join(spark: SparkSession, group: str = "salted-join", rows: int = 1_000_000,
                    salt_buckets: int = 32, hot_keys: Sequence[int] = (0,)) -> None:
    """The same join with each hot key split into ``salt_buckets`` sub-keys: the fix for skew.

    Rows of a hot key get a random salt in ``[0, salt_buckets)``, every other row salt 0. On the
    other side only the hot keys' rows are replicated, once per salt value, so the join gains
    ``len(hot_keys) x (salt_buckets - 1)`` rows, not a copy of the table per bucket. Find the hot
    keys with ``groupBy(key).count()`` ordered by count.
    """
    with job_group(spark, group, NO_AQE_NO_BROADCAST):
        is_hot = F.col("machine_key").isin(list(hot_keys))
        readings = skewed_readings(spark, rows).withColumn(
            "salt", F.when(is_hot, (F.rand(seed=3) * salt_buckets).cast("int")).otherwise(F.lit(0)))
        salts = F.when(is_hot, F.sequence(F.lit(0), F.lit(salt_buckets - 1))).otherwise(F.array(F.lit(0)))
        replicated = calibrations(spark).withColumn("salt", F.explode(salts))
        joined = readings.join(replicated, ["machine_key", "salt"])
        joined.write.format("noop").mode("overwrite").save()


def _readings_with_lookup_key(spark: SparkSession, rows: int) -> DataFrame:
    return spark.range(rows).select((F.col("id") % 100).alias("machine_key"), F.col("id").alias("reading"))


def run_shuffled_small_join(spark: SparkSession, group: str = "shuffled-small-join", rows: int = 400_000) -> None:
    """Join readings with a 100-row lookup as a sort-merge join: both sides are shuffled."""
    with job_group(spark, group, NO_AQE_NO_BROADCAST):
        joined = _readings_with_lookup_key(spark, rows).join(machines(spark, 100), "machine_key")
        joined.write.format("noop").mode("overwrite").save()


def run_broadcast_small_join(spark: SparkSession, group: str = "broadcast-small-join", rows: int = 400_000) -> None:
    """The fix: broadcast the lookup, so no row of the large side is shuffled."""
    with job_group(spark, group, NO_AQE_NO_BROADCAST):
        joined = _readings_with_lookup_key(spark, rows).join(F.broadcast(machines(spark, 100)), "machine_key")
        joined.write.format("noop").mode("overwrite").save()


def run_broadcast_by_threshold(spark: SparkSession, group: str = "broadcast-by-threshold", rows: int = 400_000,
                               threshold: str = "10m") -> None:
    """The same fix without a hint: ``autoBroadcastJoinThreshold`` above the lookup's estimated size."""
    with job_group(spark, group, {**NO_AQE_NO_BROADCAST, "spark.sql.autoBroadcastJoinThreshold": threshold}):
        joined = _readings_with_lookup_key(spark, rows).join(machines(spark, 100), "machine_key")
        joined.write.format("noop").mode("overwrite").save()


def run_aqe_skew_join(spark: SparkSession, group: str = "aqe-skew-join", rows: int = 1_000_000) -> None:
    """The skewed join with AQE's skew-join handling on, thresholds scaled to this data size."""
    conf = {
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.adaptive.skewJoin.enabled": "true",
        "spark.sql.adaptive.skewJoin.skewedPartitionFactor": "2",
        "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes": "1m",
        "spark.sql.adaptive.advisoryPartitionSizeInBytes": "2m",
        "spark.sql.adaptive.coalescePartitions.enabled": "false",
        "spark.sql.autoBroadcastJoinThreshold": "-1",
        "spark.sql.shuffle.partitions": "8",
    }
    with job_group(spark, group, conf):
        joined = skewed_readings(spark, rows).join(calibrations(spark), "machine_key")
        joined.write.format("noop").mode("overwrite").save()


def run_many_small_files(spark: SparkSession, path: str, group: str = "many-small-files", files: int = 64) -> None:
    """Write 20,000 rows as ``files`` files of a few KB each."""
    with job_group(spark, group):
        spark.range(20_000).repartition(files).write.mode("overwrite").parquet(path)


def run_compacted_write(spark: SparkSession, path: str, group: str = "compacted-write") -> None:
    """The same rows written as one file."""
    with job_group(spark, group):
        spark.range(20_000).coalesce(1).write.mode("overwrite").parquet(path)


def run_explode_blow_up(spark: SparkSession, source_path: str, target_path: str, group: str = "explode") -> None:
    """Explode a 40-key map column to rows and write them: every input row becomes 40."""
    spark.range(10_000).select(
        "id", F.map_from_entries(F.transform(F.sequence(F.lit(1), F.lit(40)),
                                             lambda i: F.struct(F.concat(F.lit("key_"), i), i.cast("string"))))
        .alias("customExtension"),
    ).coalesce(1).write.mode("overwrite").parquet(source_path)
    with job_group(spark, group):
        (spark.read.parquet(source_path).select("id", F.explode("customExtension"))
         .coalesce(1).write.mode("overwrite").parquet(target_path))


def run_get_item_flattening(spark: SparkSession, source_path: str, target_path: str,
                            group: str = "get-item") -> None:
    """The fix: extract the known keys as columns with getItem, one row stays one row."""
    with job_group(spark, group):
        source = spark.read.parquet(source_path)
        columns = [F.col("customExtension").getItem(f"key_{i}").alias(f"key_{i}") for i in range(1, 41)]
        source.select("id", *columns).coalesce(1).write.mode("overwrite").parquet(target_path)


def run_accidental_cartesian(spark: SparkSession, group: str = "cartesian") -> int:
    """A join whose condition was forgotten: 2,000 x 2,000 rows."""
    with job_group(spark, group, {"spark.sql.autoBroadcastJoinThreshold": "-1"}):
        plants, lines = spark.range(2_000).alias("a"), spark.range(2_000).alias("b")
        return plants.crossJoin(lines).count()


def run_healthy_aggregation(spark: SparkSession, group: str = "healthy") -> int:
    """Uniform keys, AQE on, small lookup broadcast: what a healthy job looks like."""
    with job_group(spark, group, {"spark.sql.adaptive.enabled": "true"}):
        readings = spark.range(200_000).select((F.col("id") % 50).alias("machine_key"), F.rand(seed=5).alias("v"))
        return readings.join(F.broadcast(machines(spark, 50)), "machine_key").groupBy("machine").avg("v").count()
