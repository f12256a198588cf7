"""The catalogue as CSV or XLSX: data elements, computed indicators and targets.

Column names are exchange identifiers (like DHIS2's), the same in both formats; a CSV file holds
one table, told apart by its header; a workbook holds one table per sheet. Import is all or
nothing: every problem is listed (table, row, column, message) and nothing is written until the
file has none. Cells are data, never formulas: text is written by the one spreadsheet-safe rule
(core.spreadsheet: Excel's quote prefix in a workbook, a leading apostrophe in a CSV), and a
formula cell on import is refused, not evaluated.
"""

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl.utils import get_column_letter

from audit.models import Action
from audit.services import diff, record_event
from core.spreadsheet import csv_escape, csv_unescape, put_text

from .expressions import check_terms, format_expression, known_elements, parse_expression
from .forms import CODE
from .models import (
    Aggregation,
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    Direction,
    Target,
    ValueType,
    parse_number,
)
from .targets import DIRECTION_OVERRIDES, parse_target_value
from .usage import lock_reason

ELEMENTS, INDICATORS, TARGETS = "elements", "indicators", "targets"
KINDS = (ELEMENTS, INDICATORS, TARGETS)  # also the order of import: later tables cite earlier
COLUMNS = {
    ELEMENTS: [
        "code",
        "national_code",
        "group",
        "name",
        "value_type",
        "unit",
        "combo",
        "disaggregation",
        "periodicity",
        "agency",
        "sensitive",
        "description",
    ],
    INDICATORS: [
        "code",
        "name",
        "numerator",
        "denominator",
        "factor",
        "unit",
        "objective",
        "sensitive",
        "plausible_min",
        "plausible_max",
        "description",
    ],
    TARGETS: [
        "code",
        "objective",
        "year",
        "description",
        "value_text",
        "value",
        "direction",
        "unit",
        "indicator",
        "source",
        "verification",
    ],
}
# The column only one kind of table has.
MARKERS = {ELEMENTS: "value_type", INDICATORS: "numerator", TARGETS: "year"}
TITLES = {
    ELEMENTS: _l("Chỉ tiêu dữ liệu"),
    INDICATORS: _l("Chỉ tiêu tính toán"),
    TARGETS: _l("Mục tiêu Chiến lược"),
}
NUMBER_COLUMNS = {"factor", "objective", "year", "value", "plausible_min", "plausible_max"}
# What a row of the exchange is read into and written from.
CatalogueObject = DataElement | ComputedIndicator | Target
MAX_ROWS = 5000
# Model field → column, where they differ (for the model's own validation messages).
FIELD_COLUMNS = {"unit_of_measure": "unit", "category_combo": "combo"}
YES = {"có", "co", "x", "1", "true", "yes"}
NO = {"không", "khong", "", "0", "false", "no"}


@dataclass
class Problem:
    table: str
    row: int
    column: str
    message: str


@dataclass
class Table:
    kind: str
    title: str
    rows: list[tuple[int, dict]]  # (row number as the spreadsheet shows it, column → text)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    applied: bool = False


# Export


def _number(value) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def _yes(value: bool) -> str:
    return "có" if value else "không"


def row_of(obj) -> dict:
    """An element, indicator or target as its exchange row (column → text)."""
    if isinstance(obj, DataElement):
        return {
            "code": obj.code,
            "national_code": obj.national_code,
            "group": obj.group,
            "name": obj.name,
            "value_type": obj.value_type,
            "unit": obj.unit_of_measure,
            "combo": obj.category_combo.code,
            "disaggregation": obj.disaggregation,
            "periodicity": obj.periodicity,
            "agency": obj.agency,
            "sensitive": _yes(obj.sensitive),
            "description": obj.description,
        }
    if isinstance(obj, ComputedIndicator):
        return {
            "code": obj.code,
            "name": obj.name,
            "numerator": format_expression(obj.numerator),
            "denominator": format_expression(obj.denominator),
            "factor": _number(obj.factor),
            "unit": obj.unit_of_measure,
            "objective": _number(obj.objective),
            "sensitive": _yes(obj.sensitive),
            "plausible_min": _number(obj.plausible_min),
            "plausible_max": _number(obj.plausible_max),
            "description": obj.description,
        }
    return {
        "code": obj.code,
        "objective": _number(obj.objective),
        "year": _number(obj.year),
        "description": obj.description,
        "value_text": obj.value_text,
        "value": _number(obj.value),
        "direction": obj.direction,
        "unit": obj.unit_of_measure,
        "indicator": obj.indicator.code if obj.indicator else "",
        "source": obj.source,
        "verification": obj.verification,
    }


def catalogue_rows(kind: str) -> list[dict]:
    objects: Iterable[CatalogueObject]
    if kind == ELEMENTS:
        objects = DataElement.objects.select_related("category_combo").order_by("code")
    elif kind == INDICATORS:
        objects = ComputedIndicator.objects.order_by("objective", "code")
    else:
        objects = Target.objects.select_related("indicator").order_by("objective", "code", "year")
    return [row_of(obj) for obj in objects]


def export_csv(kind: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    for row in catalogue_rows(kind):
        writer.writerow([csv_escape(row[column]) for column in COLUMNS[kind]])
    # The byte order mark makes Excel read the file as UTF-8 (Vietnamese letters).
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for kind in KINDS:
        sheet = workbook.create_sheet(str(TITLES[kind]))
        sheet.append(COLUMNS[kind])
        for number, row in enumerate(catalogue_rows(kind), start=2):
            for position, column in enumerate(COLUMNS[kind], start=1):
                _put(sheet.cell(row=number, column=position), column, row[column])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(cell, column: str, text: str) -> None:
    if column in NUMBER_COLUMNS and text:
        cell.value = int(text) if text.isdigit() else Decimal(text)
    elif text:
        put_text(cell, text)  # openpyxl would store a string starting with "=" as a formula


# Reading files


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _table(title: str, lines, report: Report) -> Table | None:
    """One table from its lines (lists of cell texts, the header first)."""
    lines = iter(lines)
    header = [str(cell or "").strip().lower() for cell in next(lines, [])]
    kinds = [kind for kind in KINDS if MARKERS[kind] in header]
    if len(kinds) != 1 or "code" not in header:
        report.problems.append(
            Problem(
                title,
                1,
                "",
                _(
                    "Không nhận ra bảng: dòng đầu phải là tên cột, có cột “code” và một trong "
                    "các cột “value_type” (chỉ tiêu dữ liệu), “numerator” (chỉ tiêu tính toán), "
                    "“year” (mục tiêu)."
                ),
            )
        )
        return None
    rows: list[tuple[int, dict]] = []
    for number, cells in enumerate(lines, start=2):
        cells = list(cells)
        if not any(str(cell).strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            report.problems.append(
                Problem(title, number, "", _("Tối đa %(n)s dòng một bảng.") % {"n": MAX_ROWS})
            )
            break
        row = {}
        for column, cell in zip(header, cells, strict=False):
            if column in COLUMNS[kinds[0]]:
                row[column] = cell
        rows.append((number, row))
    return Table(kinds[0], title, rows)


def read_upload(name: str, content: bytes) -> tuple[list[Table], Report]:
    """The tables of an uploaded .csv or .xlsx, and the problems found reading it."""
    report = Report()
    tables = []
    if name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.problems.append(Problem(name, 0, "", _("Tệp CSV phải lưu với bảng mã UTF-8.")))
            return [], report
        reader = csv.reader(io.StringIO(text))
        csv_lines = ([csv_unescape(cell.strip()) for cell in line] for line in reader)
        table = _table(name, csv_lines, report)
        tables = [table] if table else []
        return tables, report
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        report.problems.append(
            Problem(name, 0, "", _("Không đọc được tệp: chỉ nhận tệp .csv hoặc .xlsx."))
        )
        return [], report
    for sheet in workbook.worksheets:
        lines: list[list[str]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts = []
            for position, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    header = lines[0] if lines else []
                    column = header[position] if position < len(header) else ""
                    report.problems.append(
                        Problem(
                            sheet.title,
                            number,
                            column or get_column_letter(position + 1),
                            _("Ô chứa công thức: hệ thống không tính công thức, hãy nhập giá trị."),
                        )
                    )
                    texts.append("")
                else:
                    texts.append(_text(cell.value))
            lines.append(texts)
        if any(any(line) for line in lines):
            table = _table(sheet.title, lines, report)
            if table:
                tables.append(table)
    workbook.close()
    return tables, report


# Checking and applying


def _bool(value: str, add) -> bool:
    folded = value.strip().casefold()
    if folded in YES:
        return True
    if folded not in NO:
        add("sensitive", _("Chỉ ghi “có” hoặc “không”."))
    return False


def _choice(value: str, choices, column: str, add, default=""):
    """A choice given by its code or its Vietnamese label."""
    text = value.strip()
    if not text:
        return default
    for code, label in choices:
        if text.casefold() in {code.casefold(), str(label).casefold()}:
            return code
    add(
        column,
        _("Giá trị “%(v)s” không hợp lệ; dùng một trong: %(codes)s.")
        % {"v": text[:40], "codes": ", ".join(code for code, _label in choices)},
    )
    return default


def _integer(value: str, column: str, add, low: int, high: int) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
        add(column, _("Cần số nguyên từ %(low)s đến %(high)s.") % {"low": low, "high": high})
        return None
    return int(text)


def _model_problems(obj, add, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                add(FIELD_COLUMNS.get(name, name), message)


class _Checker:
    """Reads every row into an unsaved object, noting problems; knows the file's own codes."""

    def __init__(self, report: Report):
        self.report = report
        self.combos = {c.code: c for c in CategoryCombo.objects.all()}
        self.option_codes: dict[int, set[str]] = {}
        for combo_id, code in CategoryOptionCombo.objects.values_list("combo_id", "code"):
            self.option_codes.setdefault(combo_id, set()).add(code)
        self.elements = known_elements()
        self.indicators = {i.code: i for i in ComputedIndicator.objects.all()}
        self.seen: set = set()
        # (kind, object, row before or {})
        self.plans: list[tuple[str, CatalogueObject, dict]] = []

    def adder(self, table: Table, number: int):
        def add(column, message):
            self.report.problems.append(Problem(table.title, number, column, str(message)))

        return add

    def _unique(self, key, add) -> bool:
        if key in self.seen:
            add("code", _("Trùng mã trong tệp."))
            return False
        self.seen.add(key)
        return True

    def element(self, row: dict, add) -> None:
        code = row.get("code", "").strip()
        national = row.get("national_code", "").strip()
        if not code and national:
            code = f"CT10_{national}"  # a national indicator listed by its 4-digit code only
        if not code or not re.match(CODE.regex, code):
            add("code", _("Cần mã gồm chữ cái không dấu, chữ số và các dấu _ . -"))
            return
        if not self._unique((ELEMENTS, code), add):
            return
        if national and not re.fullmatch(r"\d{4}", national):
            add("national_code", _("Mã chỉ tiêu quốc gia gồm đúng 4 chữ số, ví dụ 0107."))
        existing = DataElement.objects.select_related("category_combo").filter(code=code).first()
        element = existing or DataElement(code=code)
        before = row_of(existing) if existing else {}
        value_type = _choice(
            row.get("value_type", ""), ValueType.choices, "value_type", add, ValueType.NUMBER
        )
        combo = self.combos.get(row.get("combo", "").strip() or "default")
        if combo is None:
            add("combo", _("Không có tổ hợp phân tổ mã “%(c)s”.") % {"c": row.get("combo")})
            combo = self.combos.get("default")
        reason = lock_reason(existing) if existing else None
        if reason and existing and value_type != existing.value_type:
            add("value_type", reason)
        if reason and existing and combo != existing.category_combo:
            add("combo", reason)
        element.national_code = national[:4]
        element.name = row.get("name", "").strip()
        element.value_type = value_type
        if combo is not None:  # else a problem is noted above and nothing is written
            element.category_combo = combo
        element.unit_of_measure = row.get("unit", "").strip()
        for name in ("group", "disaggregation", "periodicity", "agency", "description"):
            setattr(element, name, row.get(name, "").strip())
        element.sensitive = _bool(row.get("sensitive", ""), add)
        if not existing and value_type == ValueType.PERCENTAGE:
            element.aggregation = Aggregation.NONE  # shares do not add up
        _model_problems(element, add, exclude=["category_combo"] if combo is None else [])
        if combo is not None:
            numeric = value_type in (ValueType.INTEGER, ValueType.NUMBER, ValueType.PERCENTAGE)
            self.elements[code] = (numeric, self.option_codes.get(combo.pk, set()))
        self.plans.append((ELEMENTS, element, before))

    def indicator(self, row: dict, add) -> None:
        code = row.get("code", "").strip()
        if not code or not re.match(CODE.regex, code):
            add("code", _("Cần mã gồm chữ cái không dấu, chữ số và các dấu _ . -"))
            return
        if not self._unique((INDICATORS, code), add):
            return
        existing = ComputedIndicator.objects.filter(code=code).first()
        indicator = existing or ComputedIndicator(code=code)
        before = row_of(existing) if existing else {}
        for column in ("numerator", "denominator"):
            try:
                terms = parse_expression(row.get(column, ""))
            except ValidationError as error:
                for message in error.messages:
                    add(column, message)
                terms = []
            for message in check_terms(terms, self.elements):
                add(column, message)
            setattr(indicator, column, terms)
        indicator.name = row.get("name", "").strip()
        factor = row.get("factor", "").strip()
        number = parse_number(factor) if factor else Decimal(100)
        if number is None or number <= 0:
            add("factor", _("Hệ số phải là số dương, ví dụ 100."))
            number = Decimal(100)
        indicator.factor = number
        indicator.unit_of_measure = row.get("unit", "").strip() or "%"
        indicator.objective = _integer(row.get("objective", ""), "objective", add, 1, 99)
        indicator.sensitive = _bool(row.get("sensitive", ""), add)
        indicator.description = row.get("description", "").strip()
        self._plausible(indicator, row, add)
        _model_problems(indicator, add)
        self.indicators[code] = indicator
        self.plans.append((INDICATORS, indicator, before))

    @staticmethod
    def _plausible(indicator: ComputedIndicator, row: dict, add) -> None:
        """The plausible range; a file without its columns keeps the stored one."""
        for column in ("plausible_min", "plausible_max"):
            if column not in row:
                continue
            text = row[column].strip()
            number = parse_number(text) if text else None
            if text and number is None:
                add(column, _("“%(v)s” không phải là số.") % {"v": text[:30]})
            setattr(indicator, column, number)
        low, high = indicator.plausible_min, indicator.plausible_max
        if low is not None and high is not None and low > high:
            add("plausible_max", _("Giá trị tối đa phải không nhỏ hơn giá trị tối thiểu."))

    def target(self, row: dict, add) -> None:
        code = row.get("code", "").strip()
        year = _integer(row.get("year", ""), "year", add, 1900, 2100)
        if not code:
            add("code", _("Cần mã chỉ tiêu."))
        if year is None:
            if not row.get("year", "").strip():
                add("year", _("Cần năm."))
            return
        if not code or not self._unique((TARGETS, code, year), add):
            return
        existing = Target.objects.select_related("indicator").filter(code=code, year=year).first()
        target = existing or Target(code=code, year=year)
        before = row_of(existing) if existing else {}
        target.value_text = row.get("value_text", "").strip()
        # A blank direction reads as in the strategy file: "giảm" (decrease) rows are ceilings.
        falls = "giảm" in row.get("description", "").lower()
        default = DIRECTION_OVERRIDES.get(code, Direction.AT_MOST if falls else Direction.AT_LEAST)
        parsed, direction = parse_target_value(target.value_text, default)
        value = row.get("value", "").strip()
        target.value = parse_number(value) if value else parsed
        if value and target.value is None:
            add("value", _("“%(v)s” không phải là số.") % {"v": value[:30]})
        target.direction = _choice(
            row.get("direction", ""), Direction.choices, "direction", add, direction
        )
        indicator = row.get("indicator", "").strip()
        target.indicator = self.indicators.get(indicator) if indicator else None
        if indicator and target.indicator is None:
            add("indicator", _("Không có chỉ tiêu tính toán mã %(c)s.") % {"c": indicator})
        target.objective = _integer(row.get("objective", ""), "objective", add, 1, 99)
        target.description = row.get("description", "").strip()
        target.unit_of_measure = row.get("unit", "").strip()
        target.source = row.get("source", "").strip()
        target.verification = row.get("verification", "").strip()
        _model_problems(target, add, exclude=["indicator"])
        self.plans.append((TARGETS, target, before))


def import_catalogue(*, tables: list[Table], actor, apply: bool, request=None, report=None):
    """Check every row of `tables`; write them all (audited) only when `apply` and no problem.

    Elements and indicators are matched by code, targets by (code, year): a matched row
    updates, an unknown one creates; nothing is deleted."""
    report = report or Report()
    checker = _Checker(report)
    check = {ELEMENTS: checker.element, INDICATORS: checker.indicator, TARGETS: checker.target}
    for kind in KINDS:
        for table in (t for t in tables if t.kind == kind):
            for number, row in table.rows:
                check[kind]({k: str(v or "") for k, v in row.items()}, checker.adder(table, number))
    changes = []
    for kind, obj, before in checker.plans:
        change = diff(before, row_of(obj)) if not report.problems else {}
        if before and not change:
            report.unchanged[kind] += 1
        else:
            (report.updated if before else report.created)[kind] += 1
            changes.append((obj, before, change))
    if report.problems or not apply:
        return report
    with transaction.atomic():
        for obj, before, change in changes:
            obj.save()
            action = Action.UPDATE if before else Action.CREATE
            record_event(actor=actor, action=action, obj=obj, changes=change, request=request)
    report.applied = True
    return report
