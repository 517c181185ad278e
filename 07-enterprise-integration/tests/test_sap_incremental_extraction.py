"""Incremental extraction from a local SAP-style OData V2 service into Delta: the boundary and
resume failures reproduced with a plain watermark, then shown fixed."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import tiny_data_settings

from enterprise_integration.sap import (
    ODataV2Client,
    SapRetriesExhaustedError,
    Watermark,
    datetime_filter_literal,
    extract_incremental,
    parse_metadata,
    read_watermark,
    spark_schema_for,
)

START = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
ORDER_COLUMNS = ["OrderNumber", "Material", "Plant", "TotalQuantity", "Status", "ChangedAt"]


@pytest.fixture(autouse=True, scope="module")
def _tiny_data(spark):
    with tiny_data_settings(spark):
        yield


@pytest.fixture
def gateway_module(load_script):
    return load_script("sap-integration/local_gateway.py")


def expected_orders(spark, gateway, orders_set):
    return spark.createDataFrame(gateway.rows("ProductionOrderSet"), spark_schema_for(orders_set))


def landed_orders(spark, landing_path):
    return spark.read.format("delta").load(landing_path).select(*ORDER_COLUMNS)


def run_naive_one_page_per_run(client, comparison: str, runs: int) -> list[str]:
    """What a plain timestamp watermark lands when each run ends after one page."""
    landed: list[str] = []
    watermark = None
    for _ in range(runs):
        query = f"ChangedAt {comparison} {datetime_filter_literal(watermark)}" if watermark else None
        page = client.fetch_page("ProductionOrderSet", filter_expression=query, orderby="ChangedAt,OrderNumber")
        landed += [e["OrderNumber"] for e in page.results]
        watermark = max(datetime.fromtimestamp(int(e["ChangedAt"][6:-2]) / 1000, UTC) for e in page.results)
    return landed


def test_a_plain_timestamp_watermark_loses_or_duplicates_orders_sharing_a_second_across_a_page_boundary(gateway_module):
    # 7 orders per second and pages of 1,000: page 1 ends after 6 of the 7 orders of second 142
    orders = gateway_module.generate_production_orders(2_000, START, entities_per_second=7)
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=1_000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        client = ODataV2Client(gateway.service_url)
        with_gt = run_naive_one_page_per_run(client, "gt", runs=2)
        with_ge = run_naive_one_page_per_run(client, "ge", runs=2)
    all_orders = {o["OrderNumber"] for o in orders}
    assert all_orders - set(with_gt) == {f"{1_000_000 + 1_000:012d}"}  # the 7th order of second 142, lost
    assert sum(n - 1 for n in Counter(with_ge).values()) == 6  # the first 6 of second 142, landed twice


def test_a_timestamp_and_key_watermark_lands_every_order_once_across_page_boundaries(spark, tmp_path, gateway_module):
    orders = gateway_module.generate_production_orders(2_000, START, entities_per_second=7)
    landing_path = str(tmp_path / "landing" / "production_orders")
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=1_000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        client = ODataV2Client(gateway.service_url)
        orders_set = parse_metadata(client.fetch_metadata())["ProductionOrderSet"]
        results = [
            extract_incremental(spark, client, orders_set, "ChangedAt", landing_path, max_pages=1) for _ in range(3)
        ]
        assert [r.rows_landed for r in results] == [1_000, 1_000, 0]
        assert_df_equality(landed_orders(spark, landing_path), expected_orders(spark, gateway, orders_set),
                           ignore_row_order=True, ignore_nullable=True)


def test_a_run_cut_off_mid_page_resumes_with_no_duplicate_and_no_missing_order(spark, tmp_path, gateway_module):
    orders = gateway_module.generate_production_orders(10_000, START, entities_per_second=7)
    landing_path = str(tmp_path / "landing" / "production_orders")
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=1_000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        # the 6th page request (and its 2 retries) gets half a body, then the connection closes
        gateway.faults.append(gateway_module.Fault("truncate", from_request=6, times=3))
        client = ODataV2Client(gateway.service_url, max_attempts=3, sleep=lambda seconds: None)
        orders_set = parse_metadata(client.fetch_metadata())["ProductionOrderSet"]
        cut_off = r"within 3 attempts, got (ChunkedEncodingError|truncated JSON body) on attempt 3"
        with pytest.raises(SapRetriesExhaustedError, match=cut_off):
            extract_incremental(spark, client, orders_set, "ChangedAt", landing_path, run_id="run-1")
        assert spark.read.format("delta").load(landing_path).count() == 5_000

        resumed = extract_incremental(spark, client, orders_set, "ChangedAt", landing_path, run_id="run-2")

        assert (resumed.pages_landed, resumed.rows_landed) == (5, 5_000)
        landed = spark.read.format("delta").load(landing_path)
        per_run = {r[0]: r[1] for r in landed.groupBy("_extraction_run_id").count().collect()}
        assert per_run == {"run-1": 5_000, "run-2": 5_000}
        assert_df_equality(landed_orders(spark, landing_path), expected_orders(spark, gateway, orders_set),
                           ignore_row_order=True, ignore_nullable=True)
        assert resumed.watermark == Watermark(START + timedelta(seconds=9_999 // 7), (f"{1_000_000 + 9_999:012d}",))


def test_following_next_links_while_an_earlier_order_changes_skips_an_order(gateway_module):
    orders = gateway_module.generate_production_orders(2_000, START, entities_per_second=7)
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=1_000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        # between page 1 and page 2, order 0 is released again: it moves to the end of the result
        changed = dict(orders[0], Status="REL", ChangedAt=START + timedelta(hours=1))
        gateway.before_request[2] = lambda: gateway.put_rows("ProductionOrderSet", [changed])
        client = ODataV2Client(gateway.service_url)
        seen = [e["OrderNumber"] for p in client.iter_pages("ProductionOrderSet", orderby="ChangedAt,OrderNumber")
                for e in p.results]
    # the $skiptoken counts rows: everything shifted left by one and order 1,000 was never served
    assert {o["OrderNumber"] for o in orders} - set(seen) == {f"{1_000_000 + 1_000:012d}"}


def test_asking_each_page_by_watermark_while_an_earlier_order_changes_misses_nothing(spark, tmp_path, gateway_module):
    orders = gateway_module.generate_production_orders(2_000, START, entities_per_second=7)
    landing_path = str(tmp_path / "landing" / "production_orders")
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=1_000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        changed = dict(orders[0], Status="REL", ChangedAt=START + timedelta(hours=1))
        gateway.before_request[2] = lambda: gateway.put_rows("ProductionOrderSet", [changed])
        client = ODataV2Client(gateway.service_url)
        orders_set = parse_metadata(client.fetch_metadata())["ProductionOrderSet"]
        result = extract_incremental(spark, client, orders_set, "ChangedAt", landing_path)
    landed = spark.read.format("delta").load(landing_path)
    assert result.rows_landed == 2_001  # every order, and order 0 twice: before and after its change
    assert landed.select("OrderNumber").distinct().count() == 2_000
    assert landed.select("OrderNumber", "ChangedAt").distinct().count() == 2_001


def test_the_watermark_lives_in_the_landing_commit_and_is_rebuilt_from_rows_without_history(
    spark, tmp_path, gateway_module
):
    orders = gateway_module.generate_production_orders(300, START, entities_per_second=7)
    landing_path = str(tmp_path / "landing" / "production_orders")
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=100) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        client = ODataV2Client(gateway.service_url)
        orders_set = parse_metadata(client.fetch_metadata())["ProductionOrderSet"]
        extract_incremental(spark, client, orders_set, "ChangedAt", landing_path, run_id="r1", max_pages=2)
    last_commit = DeltaTable.forPath(spark, landing_path).history(1).collect()[0]
    assert '"key": ["000001000199"]' in last_commit.userMetadata and '"run_id": "r1"' in last_commit.userMetadata
    expected = Watermark(START + timedelta(seconds=199 // 7), ("000001000199",))
    keys = ("OrderNumber",)
    assert read_watermark(spark, landing_path, "ProductionOrderSet", "ChangedAt", keys) == expected
    # rewrite the same rows in a commit without metadata (as after log cleanup): the rows still say where to go on
    spark.read.format("delta").load(landing_path).write.format("delta").mode("overwrite").save(str(tmp_path / "copy"))
    assert read_watermark(spark, str(tmp_path / "copy"), "ProductionOrderSet", "ChangedAt", keys) == expected
