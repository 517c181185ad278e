"""The CDC streaming job as its own process: Debezium topic -> apply step -> Delta, until killed.

The end-to-end test, the demo and the benchmarks run it as a child process so it can be SIGKILLed
and restarted like a crashed driver. Run it by hand against a broker that carries a Debezium topic::

    python examples/cdc_stream_job.py --bootstrap 127.0.0.1:9092 --topic mes.public.work_orders \\
        --table /tmp/lake/work_orders --checkpoint /tmp/chk/work_orders --work-dir /tmp/cdc-job

Spark's log goes to ``<work-dir>/spark.log``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file
from enterprise_integration import CdcTarget, start_cdc_stream


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--key", default="id", help="comma-separated primary key columns")
    parser.add_argument("--delete-mode", default="hard", choices=("hard", "soft"))
    parser.add_argument("--trigger-seconds", type=float, default=1.0)
    parser.add_argument("--max-offsets-per-trigger", type=int, default=None)
    parser.add_argument("--shuffle-partitions", type=int, default=1)
    args = parser.parse_args(argv)
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    spark_log_to_file(work_dir)
    spark = local_spark(work_dir / "spark", app_name="cdc-stream-job", shuffle_partitions=args.shuffle_partitions)
    target = CdcTarget(args.table, key_columns=tuple(args.key.split(",")), delete_mode=args.delete_mode)
    query = start_cdc_stream(
        spark, {"kafka.bootstrap.servers": args.bootstrap}, args.topic, target, args.checkpoint,
        trigger_seconds=args.trigger_seconds, max_offsets_per_trigger=args.max_offsets_per_trigger,
        query_name="cdc_apply",
    )
    print(f"cdc_apply started: {args.topic} -> {args.table}", flush=True)
    query.awaitTermination()


if __name__ == "__main__":
    main()
