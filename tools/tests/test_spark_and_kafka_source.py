"""The local SparkSession: Delta reads and writes, and Spark's Kafka source over both listeners."""
from __future__ import annotations

from pyspark.sql import functions as F

from catalog_tools.kafka_io import KafkaMessage, produce_messages
from catalog_tools.spark import CODEGEN_CACHE_ENTRIES, local_spark


def test_spark_writes_and_reads_delta(spark, delta_path):
    spark.range(5).withColumn("plant_id", F.lit("DE-BER-01")).write.format("delta").save(delta_path)
    spark.range(5, 8).withColumn("plant_id", F.lit("US-CHI-02")).write.format("delta").mode("append").save(delta_path)

    table = spark.read.format("delta").load(delta_path)

    assert table.count() == 8
    assert spark.sql(f"DESCRIBE HISTORY delta.`{delta_path}`").count() == 2


def test_local_spark_returns_the_active_session_untouched(spark, tmp_path):
    assert local_spark(tmp_path / "other", app_name="ignored") is spark


def classes_compiled(spark) -> int:
    """How many classes Spark's code generator has compiled in this JVM so far."""
    return spark.sparkContext._jvm.org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME().getCount()


def test_a_generated_class_is_still_cached_after_150_others_were_compiled(spark):
    """Spark's default cache keeps 100 classes, fewer than one streaming micro-batch compiles."""
    def run_plan(literal: int) -> None:  # a number literal is compiled into the code: one new class per literal
        spark.range(3).selectExpr(f"id * 7 + {literal} AS v").collect()

    run_plan(987_000)
    for literal in range(987_001, 987_151):
        run_plan(literal)
    before = classes_compiled(spark)
    run_plan(987_000)

    assert classes_compiled(spark) - before == 0
    assert int(spark.conf.get("spark.sql.codegen.cache.maxEntries")) == CODEGEN_CACHE_ENTRIES


def test_spark_reads_topic_over_plaintext(spark, kafka, unique_topic):
    produce_messages([KafkaMessage(b"m1", b"a"), KafkaMessage(b"m2", b"b")], unique_topic, kafka.client_config())

    rows = (
        spark.read.format("kafka").options(**kafka.spark_options())
        .option("subscribe", unique_topic).option("startingOffsets", "earliest").load()
        .select(F.col("value").cast("string")).collect()
    )

    assert sorted(r.value for r in rows) == ["a", "b"]


def test_spark_streams_topic_over_sasl_ssl_into_delta(spark, kafka_sasl_ssl, unique_topic, delta_path, tmp_path):
    messages = [KafkaMessage(f"m{i}".encode(), f"v{i}".encode()) for i in range(20)]
    produce_messages(messages, unique_topic, kafka_sasl_ssl.client_config(user="iot-app"))

    query = (
        spark.readStream.format("kafka")
        .options(**kafka_sasl_ssl.spark_options(user="iot-app", mechanism="SCRAM-SHA-512"))
        .option("subscribe", unique_topic).option("startingOffsets", "earliest").load()
        .select(F.col("value").cast("string"), "offset")
        .writeStream.format("delta").option("checkpointLocation", str(tmp_path / "cp"))
        .trigger(availableNow=True).start(delta_path)
    )
    query.awaitTermination()

    landed = spark.read.format("delta").load(delta_path)
    assert landed.count() == 20
    assert landed.select("offset").distinct().count() == 20
