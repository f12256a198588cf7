"""The one spreadsheet-safe text rule (CSV/formula injection, docs/security.md), for every .xlsx
and .csv the project writes or reads back, with the .xlsx MIME type and download response.

A text is formula-like when it starts with one of FORMULA_START. In an .xlsx it is written as a
string cell with Excel's quote prefix (the value itself unchanged). In a CSV, which has no cell
types, it gets a leading apostrophe; a text that already starts with an apostrophe gets one more,
so reading back (`csv_unescape`) always returns exactly what was written."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_TEXT_MAX = 32767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_escape(text: str) -> str:
    """`text` as a CSV field a spreadsheet shows as text, never evaluates."""
    return "'" + text if is_formula_like(text) or text.startswith("'") else text


def csv_unescape(text: str) -> str:
    """What `csv_escape` was given."""
    if text.startswith("'") and (is_formula_like(text[1:]) or text[1:].startswith("'")):
        return text[1:]
    return text


def safe_text(text: str, limit: int = EXCEL_TEXT_MAX) -> str:
    """Text without the characters an .xlsx cannot hold, cut to what a cell takes."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:limit]


def put_text(cell, text: str, limit: int = EXCEL_TEXT_MAX) -> str:
    """Write `text` as text (never a formula: a leading = + - @ gets Excel's quote prefix)."""
    text = safe_text(text, limit)
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = is_formula_like(text)
    return text


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
