"""Kafka -> Spark Structured Streaming -> Delta medallion for manufacturing sensor events.

Start with :func:`iot_streaming_pipeline.config.load_environment_config` and
:func:`iot_streaming_pipeline.pipeline.start_pipeline`; the README walks through the rest.
"""
