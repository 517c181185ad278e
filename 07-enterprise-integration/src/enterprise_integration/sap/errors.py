"""Named errors of the SAP OData extractor; messages show expected vs actual and never a credential."""
from __future__ import annotations


class SapODataError(RuntimeError):
    """SAP Gateway answered with its error JSON (``{"error": {"code", "message": {"value"}}}``).

    Example::

        try:
            client.fetch_page("ProductionOrderSet")
        except SapODataError as error:
            print(error.status, error.sap_code)
    """

    def __init__(self, status: int, sap_code: str, sap_message: str, url: str) -> None:
        self.status = status
        self.sap_code = sap_code
        self.sap_message = sap_message
        super().__init__(f"SAP Gateway error {status} {sap_code} at {url}: {sap_message}")


class SapRetriesExhaustedError(RuntimeError):
    """The server kept answering 429/503 (or dropping the connection) after every allowed attempt."""


class SapInputError(ValueError):
    """An argument or a server payload does not have the shape the extractor expects."""
