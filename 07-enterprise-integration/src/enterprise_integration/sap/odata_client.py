"""A small OData V2 client on ``requests`` for SAP Gateway services: JSON pages, SAP error JSON,
429/503 with Retry-After, and retries when a response is cut off mid-body.

Example::

    client = ODataV2Client("https://gateway.example/sap/opu/odata/sap/ZPP_PRODUCTION_SRV/")
    page = client.fetch_page("ProductionOrderSet", filter_expression="Plant eq '1000'")
    page.results[0]["OrderNumber"], page.next_url
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import requests

from enterprise_integration.sap.errors import SapInputError, SapODataError, SapRetriesExhaustedError

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = (429, 503)


@dataclass(frozen=True)
class ODataPage:
    """One response of an entity set query: its entities and the server's ``__next`` link, if any."""

    results: list[dict[str, Any]]
    next_url: str | None


class ODataV2Client:
    """Reads an OData V2 service (JSON format) with retries the way SAP Gateway asks for them.

    ``session`` carries authentication (basic, a client certificate, an OAuth bearer header) and
    is never logged. 429 and 503 are retried after their Retry-After (seconds or an HTTP date,
    capped at ``max_retry_after_seconds``); a dropped connection or a body cut short is retried
    with exponential backoff from ``backoff_seconds``. Other errors raise SapODataError at once.
    """

    def __init__(
        self,
        service_url: str,
        session: requests.Session | None = None,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        max_retry_after_seconds: float = 300.0,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not service_url.startswith(("http://", "https://")):
            raise SapInputError(f"expected an http(s) service URL, got {service_url!r}")
        if max_attempts < 1:
            raise SapInputError(f"expected max_attempts >= 1, got {max_attempts}")
        self.service_url = service_url if service_url.endswith("/") else service_url + "/"
        self.session = session or requests.Session()
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_retry_after_seconds = max_retry_after_seconds
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"ODataV2Client({self.service_url!r}, max_attempts={self.max_attempts})"

    def fetch_metadata(self) -> bytes:
        """The service's ``$metadata`` document (EDMX XML)."""
        return self._get(urljoin(self.service_url, "$metadata"), params=None, accept="application/xml").content

    def fetch_page(
        self,
        entity_set: str,
        filter_expression: str | None = None,
        orderby: str | None = None,
        select: list[str] | None = None,
    ) -> ODataPage:
        """The first page of ``entity_set`` for the given ``$filter``/``$orderby``/``$select``."""
        params = {"$format": "json"}
        if filter_expression:
            params["$filter"] = filter_expression
        if orderby:
            params["$orderby"] = orderby
        if select:
            params["$select"] = ",".join(select)
        return self._page(urljoin(self.service_url, entity_set), params)

    def fetch_next(self, next_url: str) -> ODataPage:
        """The page a ``__next`` link points to (the server's ``$skiptoken`` is inside it)."""
        return self._page(urljoin(self.service_url, next_url), None)

    def iter_pages(self, entity_set: str, **query: Any) -> Iterator[ODataPage]:
        """Every page of a query, following the server's ``__next`` links."""
        page = self.fetch_page(entity_set, **query)
        yield page
        while page.next_url:
            page = self.fetch_next(page.next_url)
            yield page

    def _page(self, url: str, params: dict[str, str] | None) -> ODataPage:
        response = self._get(url, params=params, accept="application/json")
        try:
            body = response.json()
            payload = body["d"]
        except (ValueError, KeyError, TypeError) as error:
            raise SapInputError(
                f"expected an OData V2 JSON body {{'d': ...}} from {response.url}, got {error!r}"
            ) from None
        if isinstance(payload, list):  # OData V1-style verbose arrays
            return ODataPage(payload, None)
        results = payload.get("results")
        if not isinstance(results, list):
            raise SapInputError(f"expected 'd.results' to be a list from {response.url}, got {type(results).__name__}")
        return ODataPage(results, payload.get("__next"))

    def _get(self, url: str, params: dict[str, str] | None, accept: str) -> requests.Response:
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.get(
                    url, params=params, headers={"Accept": accept}, timeout=self.timeout_seconds
                )
                _ = response.content  # read the whole body now: a cut-off body raises here
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as error:
                last_problem = f"{type(error).__name__} on attempt {attempt}"
                wait = self.backoff_seconds * 2 ** (attempt - 1)
            else:
                if response.status_code < 400:
                    if accept == "application/json" and not _is_complete_json(response):
                        last_problem = f"truncated JSON body on attempt {attempt}"
                        wait = self.backoff_seconds * 2 ** (attempt - 1)
                    else:
                        return response
                elif response.status_code in RETRYABLE_STATUSES:
                    wait = _retry_after_seconds(response, default=self.backoff_seconds * 2 ** (attempt - 1))
                    last_problem = f"HTTP {response.status_code} on attempt {attempt}"
                    if wait > self.max_retry_after_seconds:
                        raise SapRetriesExhaustedError(
                            f"expected Retry-After <= {self.max_retry_after_seconds} s from {url}, got {wait} s"
                        )
                else:
                    raise _sap_error(response)
            if attempt < self.max_attempts:
                logger.warning("retrying %s in %.1f s: %s", url, wait, last_problem)
                self.sleep(wait)
        raise SapRetriesExhaustedError(
            f"expected a complete response from {url} within {self.max_attempts} attempts, got {last_problem}"
        )


def _is_complete_json(response: requests.Response) -> bool:
    try:
        json.loads(response.content)
    except ValueError:
        return False
    return True


def _retry_after_seconds(response: requests.Response, default: float) -> float:
    header = response.headers.get("Retry-After")
    if header is None:
        return default
    if header.strip().isdigit():
        return float(header)
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _sap_error(response: requests.Response) -> SapODataError:
    code, message = "", response.text[:200]
    try:
        error = response.json()["error"]
        code = str(error.get("code", ""))
        message = str(error.get("message", {}).get("value", message))
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return SapODataError(response.status_code, code, message, response.url.split("?")[0])
