"""Building blocks of ``benchmarks/streaming_throughput_latency.py``.

``measurements`` turns listener progress and Delta tables into figures (rates, percentiles) and
writes them (JSON, markdown); ``kafka_load`` fills topics (all at once, or at a steady rate from a
separate process); ``workloads`` runs the measured Spark jobs (streaming and batch Kafka -> bronze,
bronze + silver under a steady input rate).
"""
