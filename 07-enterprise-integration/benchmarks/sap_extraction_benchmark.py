"""SAP OData extraction into Delta: this folder's extractor (a page per Delta commit with the
watermark, pages asked for by position) against the obvious approach (follow ``__next``, land
everything in one write at the end: no resume) and the floor (fetch and convert every page, land
nothing), over the local Gateway-like server. Repeated runs in rotating order; median and worst.

Run from the folder: ``python benchmarks/sap_extraction_benchmark.py [--entities 10000] [--page-size 1000] [--runs 3]``
Writes benchmarks/results/sap_extraction_benchmark.json (+ .md, .png).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession

from catalog_tools.bench import write_results
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from enterprise_integration.sap import (
    ODataV2Client,
    convert_property,
    extract_incremental,
    landing_schema,
    parse_metadata,
    spark_schema_for,
)

FOLDER = Path(__file__).resolve().parents[1]
APPROACHES = ("extractor", "next_links_one_write", "fetch_only_floor")


def run_extractor(spark, client, orders_set, target: str) -> int:
    return extract_incremental(spark, client, orders_set, "ChangedAt", target, run_id="bench").rows_landed


def run_next_links_one_write(spark, client, orders_set, target: str) -> int:
    rows = [
        {p.name: convert_property(e.get(p.name), p.edm_type) for p in orders_set.properties}
        for page in client.iter_pages(orders_set.name, orderby="ChangedAt,OrderNumber")
        for e in page.results
    ]
    spark.createDataFrame(rows, spark_schema_for(orders_set)).write.format("delta").save(target)
    return len(rows)


def run_fetch_only_floor(spark, client, orders_set, target: str) -> int:
    count = 0
    for page in client.iter_pages(orders_set.name, orderby="ChangedAt,OrderNumber"):
        count += len([[convert_property(e.get(p.name), p.edm_type) for p in orders_set.properties]
                      for e in page.results])
    return count


def measure(entities: int, page_size: int, runs: int, results_dir: Path, work: Path) -> dict:
    gateway_module = load_script_from(FOLDER / "sap-integration" / "local_gateway.py")
    own_session = SparkSession.getActiveSession() is None  # a test's session is reused and left running
    spark = local_spark(work / "spark", app_name="sap-extraction-benchmark", shuffle_partitions=1)
    orders = gateway_module.generate_production_orders(entities, datetime(2026, 12, 6, 6, tzinfo=UTC), 7)
    functions = {"extractor": run_extractor, "next_links_one_write": run_next_links_one_write,
                 "fetch_only_floor": run_fetch_only_floor}
    rows = []
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=page_size) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        client = ODataV2Client(gateway.service_url)
        orders_set = parse_metadata(client.fetch_metadata())["ProductionOrderSet"]
        landing_schema(orders_set)  # fail before timing if the metadata cannot be landed
        run_extractor(spark, client, orders_set, str(work / "warm-up"))  # JIT and Delta's first commit
        for run in range(runs):
            order = APPROACHES[run % 3:] + APPROACHES[:run % 3]
            for approach in order:
                target = str(work / f"{approach}-{run}")
                started = time.perf_counter()
                landed = functions[approach](spark, client, orders_set, target)
                seconds = time.perf_counter() - started
                if landed != entities:
                    raise RuntimeError(f"expected {entities} entities from {approach}, got {landed}")
                rows.append({"run": run + 1, "approach": approach, "seconds": round(seconds, 3),
                             "entities_per_s": round(entities / seconds, 1)})
    if own_session:
        spark.stop()
    summary: dict = {"entities": entities, "page_size": page_size, "runs": runs}
    for approach in APPROACHES:
        seconds = [r["seconds"] for r in rows if r["approach"] == approach]
        summary[f"{approach}_median_s"] = round(statistics.median(seconds), 3)
        summary[f"{approach}_worst_s"] = round(max(seconds), 3)
        summary[f"{approach}_median_entities_per_s"] = round(entities / statistics.median(seconds), 1)
    write_results(results_dir, "sap_extraction_benchmark", summary, rows)
    draw(rows, results_dir / "sap_extraction_benchmark.png", entities)
    return summary


def draw(rows: list[dict], path: Path, entities: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 3.5))
    for index, approach in enumerate(APPROACHES):
        seconds = [r["seconds"] for r in rows if r["approach"] == approach]
        axis.scatter([index] * len(seconds), seconds, alpha=0.7)
        axis.hlines(statistics.median(seconds), index - 0.2, index + 0.2)
    labels = ["extractor\n(page per commit)", "__next links,\none write", "fetch only\n(floor)"]
    axis.set_xticks(range(len(APPROACHES)), labels)
    axis.set_ylabel("seconds per run")
    axis.set_ylim(bottom=0)
    axis.set_title(f"{entities:,} production orders: every run (dots) and the median (line)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=FOLDER / "benchmarks" / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sap-bench-") as work:
        summary = measure(args.entities, args.page_size, args.runs, args.results_dir, Path(work))
    print(", ".join(f"{k}={v}" for k, v in summary.items()))
    return summary


if __name__ == "__main__":
    main()
