"""What every .xlsx the project writes has in common: the MIME type, the download response, and
text cells that Excel can never read as a formula (CSV/formula injection, security.md)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_TEXT_MAX = 32767
UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str, limit: int = EXCEL_TEXT_MAX) -> str:
    """Text without the characters an .xlsx cannot hold, cut to what a cell takes."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:limit]


def put_text(cell, text: str, limit: int = EXCEL_TEXT_MAX) -> str:
    """Write `text` as text (never a formula: a leading = + - @ gets Excel's quote prefix)."""
    text = safe_text(text, limit)
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = text.startswith(UNSAFE_START)
    return text


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
