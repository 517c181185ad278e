"""The OData V2 client against a local server that answers like SAP Gateway (no Spark needed)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from enterprise_integration.sap import (
    ODataV2Client,
    SapInputError,
    SapODataError,
    SapRetriesExhaustedError,
    convert_property,
    datetime_filter_literal,
    format_odata_datetime,
    parse_metadata,
    parse_odata_datetime,
)

START = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)


@pytest.fixture
def gateway_module(load_script):
    return load_script("sap-integration/local_gateway.py")


@pytest.fixture
def gateway(gateway_module):
    with gateway_module.LocalGateway(gateway_module.production_entity_sets(), page_size=100) as server:
        server.put_rows("ProductionOrderSet", gateway_module.generate_production_orders(250, START, 7))
        yield server


def test_sap_dates_are_epoch_milliseconds_in_utc_with_or_without_an_offset():
    assert parse_odata_datetime("/Date(1796536800000)/") == datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
    assert parse_odata_datetime("/Date(1796536800000+0060)/") == datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
    assert format_odata_datetime(datetime(2026, 12, 6, 6, 0, tzinfo=UTC)) == "/Date(1796536800000)/"
    with_millis = datetime(2026, 12, 6, 6, 0, 1, 250_000, tzinfo=UTC)
    assert datetime_filter_literal(with_millis) == "datetime'2026-12-06T06:00:01.250'"


def test_values_that_are_not_sap_dates_or_naive_datetimes_are_named_errors():
    with pytest.raises(SapInputError, match=r"expected an OData V2 date .* got '2026-12-06'"):
        parse_odata_datetime("2026-12-06")
    with pytest.raises(SapInputError, match="expected a timezone-aware datetime"):
        datetime_filter_literal(datetime(2026, 12, 6))


def test_decimals_arrive_as_strings_and_keep_their_precision():
    assert convert_property("123456789.123", "Edm.Decimal") == Decimal("123456789.123")


def test_metadata_gives_each_entity_set_its_key_and_typed_properties(gateway):
    entity_sets = parse_metadata(ODataV2Client(gateway.service_url).fetch_metadata())
    assert sorted(entity_sets) == ["ConfirmationSet", "MaterialDocumentSet", "ProductionOrderSet"]
    documents = entity_sets["MaterialDocumentSet"]
    assert documents.key_properties == ("MaterialDocument", "MaterialDocumentYear", "MaterialDocumentItem")
    quantity = documents.property("Quantity")
    assert (quantity.edm_type, quantity.precision, quantity.scale) == ("Edm.Decimal", 13, 3)
    with pytest.raises(SapInputError, match="expected a property of ZPP_PRODUCTION_SRV.MaterialDocument"):
        documents.property("ChangedOn")


def test_server_driven_paging_is_followed_through_next_links(gateway):
    pages = list(ODataV2Client(gateway.service_url).iter_pages("ProductionOrderSet", orderby="ChangedAt,OrderNumber"))
    assert [len(p.results) for p in pages] == [100, 100, 50]
    assert "$skiptoken=100" in pages[0].next_url and pages[-1].next_url is None
    assert pages[0].results[0]["ChangedAt"] == "/Date(1796536800000)/"


def test_429_and_503_are_retried_after_the_seconds_the_server_asks_for(gateway, gateway_module):
    gateway.faults += [
        gateway_module.Fault("status", status=429, retry_after=7),
        gateway_module.Fault("status", status=503, retry_after=2),
    ]
    slept: list[float] = []
    page = ODataV2Client(gateway.service_url, sleep=slept.append).fetch_page("ProductionOrderSet")
    assert slept == [7.0, 2.0]
    assert len(page.results) == 100


def test_a_body_cut_off_mid_page_is_retried_with_exponential_backoff(gateway, gateway_module):
    gateway.faults.append(gateway_module.Fault("truncate", times=2))
    slept: list[float] = []
    page = ODataV2Client(gateway.service_url, backoff_seconds=0.5, sleep=slept.append).fetch_page("ProductionOrderSet")
    assert slept == [0.5, 1.0]
    assert len(page.results) == 100


def test_a_server_that_stays_unavailable_ends_in_a_named_error_after_the_allowed_attempts(gateway, gateway_module):
    gateway.faults.append(gateway_module.Fault("status", status=503, retry_after=1, times=10))
    client = ODataV2Client(gateway.service_url, max_attempts=3, sleep=lambda seconds: None)
    with pytest.raises(SapRetriesExhaustedError, match="within 3 attempts, got HTTP 503 on attempt 3"):
        client.fetch_page("ProductionOrderSet")


def test_a_retry_after_longer_than_the_cap_fails_at_once_instead_of_sleeping(gateway, gateway_module):
    gateway.faults.append(gateway_module.Fault("status", status=429, retry_after=3600))
    client = ODataV2Client(gateway.service_url, max_retry_after_seconds=300, sleep=pytest.fail)
    with pytest.raises(SapRetriesExhaustedError, match="expected Retry-After <= 300 s .* got 3600.0 s"):
        client.fetch_page("ProductionOrderSet")


def test_sap_error_json_becomes_a_named_error_with_the_sap_code_and_message(gateway):
    client = ODataV2Client(gateway.service_url)
    with pytest.raises(SapODataError, match=r"400 /IWBEP/CM_MGW_RT/004 .*Property ChangedOn not found") as caught:
        client.fetch_page("ProductionOrderSet", filter_expression="ChangedOn gt datetime'2026-12-06T00:00:00'")
    assert caught.value.status == 400 and caught.value.sap_code == "/IWBEP/CM_MGW_RT/004"
    with pytest.raises(SapODataError, match="404 /IWBEP/CM_MGW_RT/020"):
        client.fetch_page("ProductionOrders")
