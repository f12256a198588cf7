"""The pivot: indicators × units × rounds (× disaggregation) through analytics.engine, as a
table and as CSV/XLSX bytes (every cell through core.spreadsheet's text rule, docs/security.md)."""

import csv
import io
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook

from accounts.models import User
from core.spreadsheet import csv_escape, put_text
from indicators.models import ComputedIndicator, vi_number

from . import engine

UNIT_CHOICES = [
    ("51", "Toàn tỉnh"),
    ("51;LEVEL-2", "Từng đơn vị trực thuộc tỉnh (sở, ngành, xã, phường, huyện cũ)"),
]


def build(
    *, user: User, dx: list[str], rounds: list[str], units: str, by_combo: bool, accepted_only: bool
) -> tuple[list[str], list[list[str]], engine.Result]:
    """(header, rows of text, the engine's result) for the chosen cube, suppression applied."""
    computed = set(ComputedIndicator.objects.filter(code__in=dx).values_list("code", flat=True))
    result = engine.aggregate(
        user=user,
        elements=[c for c in dx if c not in computed],
        indicators=sorted(computed),
        rounds=rounds,
        units=units.split(";"),
        by_combo=by_combo,
        accepted_only=accepted_only,
    )
    header = ["Đơn vị", "Chỉ tiêu", "Đợt báo cáo"] + (["Phân tổ"] if by_combo else []) + ["Giá trị"]
    lines = []
    for row, text in engine.displayed(result):
        unit = result.units.get(row.ou)
        element = result.dx.get(row.dx)
        period = result.rounds.get(row.pe)
        combo = result.combos.get(row.co) if row.co else None
        shown = _printed(text)
        line = [
            unit.name if unit else row.ou,
            element.name if element else row.dx,
            period.name if period else row.pe,
        ]
        if by_combo:
            line.append(combo.name if combo else "Tổng số")
        lines.append([*line, shown])
    return header, lines, result


def _printed(text: str) -> str:
    try:
        return vi_number(Decimal(text))
    except (InvalidOperation, ValueError):
        return text  # "", "<5", "x"


def to_csv(header: list[str], lines: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[csv_escape(str(cell)) for cell in line] for line in lines])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], lines: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Bảng tổng hợp"
    sheet.append(header)
    for row, line in enumerate(lines, start=2):
        for column, cell in enumerate(line, start=1):
            put_text(sheet.cell(row=row, column=column), str(cell))
    for letter, width in zip("ABCDE", (40, 60, 28, 14, 14), strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
