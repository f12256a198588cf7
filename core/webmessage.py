"""DHIS2's WebMessage: the body DHIS2 answers a refused or failed API request with
(`httpStatus`, `httpStatusCode`, `status`, `message`). The import's WebMessage around an
ImportSummary is reports.exchange.importer.web_message."""

from http import HTTPStatus


def web_message(code: int, message: str, **extra) -> dict:
    """A WebMessage of status ERROR for an HTTP error `code` (403 → "Forbidden"…)."""
    return {
        "httpStatus": HTTPStatus(code).phrase,
        "httpStatusCode": code,
        "status": "ERROR",
        "message": message,
        **extra,
    }
