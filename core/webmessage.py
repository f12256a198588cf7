"""DHIS2's WebMessage: the body DHIS2 answers a refused or failed API request with
(`httpStatus`, `httpStatusCode`, `status`, `message`). Every refusal of binhdang's API has this
shape, with the message again in `detail` (django-ninja's key, which the first clients read),
except where DHIS2's own shape is exact: the import's WebMessage around an ImportSummary
(reports.exchange.importer.web_message) and the analytics conflicts (analytics.api.conflict)."""

from http import HTTPStatus


def web_message(code: int, message: str, **extra) -> dict:
    """A WebMessage of status ERROR for an HTTP error `code` (403 → "Forbidden"…)."""
    return {
        "httpStatus": HTTPStatus(code).phrase,
        "httpStatusCode": code,
        "status": "ERROR",
        "message": message,
        "detail": message,
        **extra,
    }


def refuse(code: int, message: str) -> tuple[int, dict]:
    """An API operation's refused answer: the status code and its WebMessage."""
    return code, web_message(code, message)
