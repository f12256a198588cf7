"""The app's lists as .xlsx workbooks: a bold frozen header row, widths set, numbers as numbers,
dates as dates, and text that Excel could read as a formula (= + - @) written as text."""

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.spreadsheet import put_text, xlsx_response

MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "DD/MM/YYYY"
INTEGER_FORMAT = "#,##0"


def _put(cell: Cell, value: object) -> int:
    """Write one value; returns its display width for the column."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return 10
    if isinstance(value, bool | int | float | Decimal):
        cell.value = value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            cell.number_format = INTEGER_FORMAT
        return len(f"{value:,}") if not isinstance(value, bool) else 5
    text = put_text(cell, str(value))
    return max((len(line) for line in text.splitlines()), default=0)


def yes_no(value: object) -> str:
    """A flag as a cell: "Có", or empty."""
    return _("Có") if value else ""


def add_sheet(book: Workbook, title: str, headers: list[str], rows: list[list]) -> Worksheet:
    """One table on a new sheet of `book`; returns the sheet."""
    sheet = book.create_sheet(title[:31])
    widths = [len(str(h)) for h in headers]
    bold = Font(bold=True)
    for col, heading in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col)
        _put(cell, str(heading))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for line, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            width = _put(sheet.cell(row=line, column=col), value)
            if col <= len(widths):
                widths[col - 1] = max(widths[col - 1], width)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    return sheet


def workbook_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of one sheet per (title, headers, rows)."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        add_sheet(book, title, headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_response(
    filename: str, sheet_title: str, headers: list[str], rows: list[list]
) -> HttpResponse:
    return xlsx_response(filename, workbook_bytes([(sheet_title, headers, rows)]))
