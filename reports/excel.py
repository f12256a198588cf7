"""A unit's report as an .xlsx workbook to fill offline, and the way back in.

The workbook carries its own keys: on every sheet a hidden column A (the data element or question
code of each row) and a hidden row 3 (the option combo code of each column), and a very hidden
sheet `_keys` with the round, the unit, and every value as it was when the file was made, with its
version. Keys travel with their rows and columns, so a deleted or inserted row can never shift a
number into the wrong cell: it shows up as a missing or an unknown key.

Only the cells the user changed in the file are imported, each against the version it was
downloaded at: a file uploaded unchanged changes nothing, and an old file never silently
overwrites what someone typed on the web since (design §4: nothing is silently overwritten).

Nothing in a file is ever evaluated: formulas are refused, and text that Excel could read as a
formula (=, +, -, @) is written as text with a quote prefix (core.spreadsheet, docs/security.md).
"""

import datetime
import hashlib
import io
import logging
import math
import re
import warnings
import zipfile
from collections.abc import Sized
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from core.spreadsheet import is_formula_like, put_text, safe_text
from indicators.models import (
    DEFAULT,
    Aggregation,
    CategoryOptionCombo,
    DataElement,
    ValueType,
    stored_number,
)

from .models import DataValue, Question, Row, Section, SectionKind, Submission
from .services.submissions import CellInput, check_parts, save_answer, save_values

logger = logging.getLogger(__name__)

FORMAT = "binhdang-xlsx/1"
KEYS_SHEET = "_keys"
TABLE_MARK, NARRATIVE_MARK = "#table", "#narrative"
TOTAL_KEY, ANSWER_KEY = "#total", "#answer"
KEY_ROW, HEADER_ROW, FIRST_ROW = 3, 4, 5
KEY_COL, FIRST_VALUE_COL = 1, 5  # A: hidden keys; B: STT; C: label; D: unit of measure
# Nothing a sane report needs comes near these; they bound what a hostile file can cost.
MAX_UNCOMPRESSED = 25 * 1024 * 1024
MAX_ENTRIES = 300
MAX_PROBLEMS = 200
SLACK_ROWS, SLACK_COLS = 200, 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


# ---------------------------------------------------------------------------------------------
# Layout: the same description of the workbook drives the export and the parse.


@dataclass
class TableSheet:
    name: str
    section: Section
    rows: list[Row]
    columns: list[CategoryOptionCombo]  # in order of first appearance across the rows
    has_total: bool

    def combos(self, row) -> list:
        return list(row.data_element.category_combo.option_combos.all())


@dataclass
class Layout:
    cover: str
    tables: list[TableSheet]
    narrative: str | None
    questions: list[tuple[Section, Question]]

    @property
    def sheet_names(self) -> list[str]:
        names = [self.cover, *(t.name for t in self.tables)]
        return names + ([self.narrative] if self.narrative else [])


def _sheet_name(text: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "-", text).strip()[:28] or _("Bảng")
    name, n = base, 2
    while name.casefold() in taken or name == KEYS_SHEET:
        name, n = f"{base[:26]} {n}", n + 1
    taken.add(name.casefold())
    return name


def _total_applies(element: DataElement, combos: Sized) -> bool:
    return (
        len(combos) > 1
        and element.value_type in (ValueType.INTEGER, ValueType.NUMBER)
        and element.aggregation == Aggregation.SUM
    )


def build_layout(submission: Submission) -> Layout:
    form = submission.round.form
    rows = Row.objects.select_related(
        "data_element__category_combo", "part_of__data_element"
    ).prefetch_related("data_element__category_combo__option_combos")
    sections = form.sections.prefetch_related("questions", Prefetch("rows", queryset=rows))
    cover = _("Thông tin chung")
    taken = {cover.casefold()}
    tables, questions = [], []
    for index, section in enumerate(sections, start=1):
        if section.kind == SectionKind.NARRATIVE:
            questions += [(section, q) for q in section.questions.all()]
            continue
        section_rows = list(section.rows.all())
        if not section_rows:
            continue
        columns = []
        for row in section_rows:
            for combo in row.data_element.category_combo.option_combos.all():
                if combo not in columns:
                    columns.append(combo)
        name = _sheet_name(_("Bảng %(n)s") % {"n": section.number or index}, taken)
        has_total = any(
            _total_applies(r.data_element, r.data_element.category_combo.option_combos.all())
            for r in section_rows
        )
        tables.append(TableSheet(name, section, section_rows, columns, has_total))
    narrative = _sheet_name(_("Đề cương"), taken) if questions else None
    return Layout(cover, tables, narrative, questions)


def _column_title(combo) -> str:
    return _("Số liệu") if combo.code == DEFAULT else combo.name


def _cell_label(row, combo) -> str:
    if combo.code == DEFAULT:
        return f"“{row.title}”"
    return f"“{row.title}” ({combo.name})"


# ---------------------------------------------------------------------------------------------
# Export


def _put(ws, row: int, col: int, value, *, bold=False, fill=None, wrap=False, border=False):
    """Write one cell; text is always text, never a formula (CSV/formula injection)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    if wrap:
        cell.alignment = WRAP
    if border:
        cell.border = BORDER
    return cell


def _excel_value(element: DataElement, stored: str):
    if stored == "":
        return None
    if element.value_type == ValueType.BOOLEAN:
        return _("Có") if stored == "true" else _("Không")
    if element.is_numeric:
        try:
            number = Decimal(stored)
        except InvalidOperation:
            return stored
        return int(number) if number == number.to_integral_value() else number
    return stored


def _validation(ws, made: dict, value_type: str) -> DataValidation:
    """One data validation per value type used on a sheet, with Vietnamese messages."""
    if value_type in made:
        return made[value_type]
    specs: dict[str, dict[str, str]] = {
        ValueType.INTEGER: dict(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            error=_("Chỉ nhập số nguyên không âm (không có phần thập phân)."),
        ),
        ValueType.NUMBER: dict(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error=_("Chỉ nhập số không âm."),
        ),
        ValueType.PERCENTAGE: dict(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            error=_("Tỷ lệ phải từ 0 đến 100."),
        ),
        ValueType.BOOLEAN: dict(
            type="list",
            formula1='"{},{}"'.format(_("Có"), _("Không")),
            error=_("Chọn “Có” hoặc “Không”."),
        ),
        ValueType.TEXT: dict(
            type="textLength",
            operator="lessThanOrEqual",
            formula1="5000",
            error=_("Nội dung quá dài (tối đa 5.000 ký tự)."),
        ),
    }
    validation = DataValidation(
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Số liệu không hợp lệ"),
        **specs[value_type],
    )
    ws.add_data_validation(validation)
    made[value_type] = validation
    return validation


def _protect(ws) -> None:
    ws.protection.sheet = True
    # Users may still widen columns and rows to read long labels.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _hide_keys(ws) -> None:
    ws.column_dimensions["A"].hidden = True
    ws.row_dimensions[KEY_ROW].hidden = True


def _write_cover(ws, submission: Submission, layout: Layout) -> None:
    round_, unit, form = submission.round, submission.unit, submission.round.form
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    _put(ws, 1, 1, round_.name.upper(), bold=True)
    due = submission.due_on.strftime("%d/%m/%Y")
    if submission.extension_reason:
        due += " " + _("(đã gia hạn: %(r)s)") % {"r": submission.extension_reason}
    facts = [
        (_("Đợt báo cáo"), f"{round_.name} ({round_.code})"),
        (_("Đơn vị báo cáo"), f"{unit.name} ({unit.code})"),
        (_("Biểu mẫu"), f"{form.name} (v{form.version})"),
        (
            _("Kỳ báo cáo"),
            _("%(p)s — số liệu từ %(a)s đến %(b)s")
            % {
                "p": round_.period,
                "a": round_.window_start.strftime("%d/%m/%Y"),
                "b": round_.window_end.strftime("%d/%m/%Y"),
            },
        ),
        (_("Hạn nộp"), due),
        (_("Khóa sổ"), round_.lock_on.strftime("%d/%m/%Y")),
        (_("Trạng thái"), str(submission.get_status_display())),
        (_("Tải xuống lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")),
    ]
    for offset, (label, value) in enumerate(facts):
        _put(ws, 3 + offset, 1, label, bold=True)
        _put(ws, 3 + offset, 2, value, wrap=True)
    line = 4 + len(facts)
    _put(ws, line, 1, _("Hướng dẫn"), bold=True)
    steps = [
        _("Chỉ nhập vào các ô nền vàng; các ô khác được khóa."),
        _(
            "Chỉ tiêu đếm (người, cơ quan…) nhập số nguyên không âm; tỷ lệ (%) nhập số từ 0 đến "
            "100; ô Có/Không chọn trong danh sách; ô để trống là chưa có số liệu."
        ),
        _(
            "Không dùng công thức: hệ thống chỉ nhận giá trị và từ chối ô có công thức. Cột "
            "“Tổng số” là số liệu tại lúc tải tệp; hệ thống tự tính lại sau khi nhập."
        ),
        _("Dòng “Trong đó” không được lớn hơn dòng tổng tương ứng (cùng cột)."),
        _(
            "Không thêm, xóa hoặc đổi tên trang tính, dòng, cột; không sửa các cột, dòng, trang "
            "ẩn: hệ thống dùng chúng để đặt số liệu vào đúng chỗ."
        ),
        _(
            "Tải tệp lên ở trang báo cáo của đơn vị. Hệ thống kiểm tra trước và liệt kê mọi lỗi "
            "(trang tính, ô, nội dung); khi tệp không còn lỗi và bạn xác nhận, toàn bộ số liệu "
            "được lưu cùng lúc — có lỗi thì không lưu gì."
        ),
        _(
            "Chỉ những ô bạn sửa trong tệp được nhập. Nếu trong lúc đó có người sửa cùng ô trên "
            "hệ thống, hệ thống báo để bạn kiểm tra chứ không ghi đè."
        ),
        _("Tệp này chỉ dùng cho %(unit)s — %(round)s.") % {"unit": unit.name, "round": round_.name},
    ]
    for number, text in enumerate(steps, start=1):
        _put(ws, line + number, 1, f"{number}.")
        _put(ws, line + number, 2, text, wrap=True)
    if form.description:
        _put(ws, line + len(steps) + 2, 1, _("Hướng dẫn chung"), bold=True)
        _put(ws, line + len(steps) + 2, 2, form.description, wrap=True)
    sheets = ", ".join(layout.sheet_names[1:])
    _put(ws, line + len(steps) + 3, 1, _("Các trang"), bold=True)
    _put(ws, line + len(steps) + 3, 2, sheets, wrap=True)
    _protect(ws)


def _write_table(ws, spec: TableSheet, values: dict, keys: list, *, masked: bool = False) -> None:
    _write_table_head(ws, spec)
    checks: dict = {}
    for index, row in enumerate(spec.rows):
        _write_table_row(ws, spec, FIRST_ROW + index, row, values, keys, checks, masked=masked)
    widths = {"A": 4, "B": 6, "C": 60, "D": 12}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for offset in range(len(spec.columns) + 1):
        ws.column_dimensions[get_column_letter(FIRST_VALUE_COL + offset)].width = 13
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FIRST_VALUE_COL)
    _hide_keys(ws)
    _protect(ws)


def _write_table_head(ws, spec: TableSheet) -> None:
    """Title, guidance, the column headers and the hidden key row."""
    section = spec.section
    title = f"{section.number}. {section.title}" if section.number else section.title
    _put(ws, 1, 2, title, bold=True)
    notes = [section.guidance] if section.guidance else []
    notes.append(
        _("Mọi ô phải có số liệu hoặc ghi “không có số liệu” kèm lý do, trừ dòng “không bắt buộc”.")
    )
    if notes:
        _put(ws, 2, 2, " ".join(notes))
    _put(ws, KEY_ROW, KEY_COL, TABLE_MARK)
    headers = [_("STT"), _("Chỉ tiêu"), _("Đơn vị tính")]
    headers += [_column_title(c) for c in spec.columns]
    if spec.has_total:
        headers.append(_("Tổng số"))
    for offset, header in enumerate(headers, start=2):
        _put(ws, HEADER_ROW, offset, header, bold=True, fill=HEADER_FILL, wrap=True, border=True)
    for offset, combo in enumerate(spec.columns):
        _put(ws, KEY_ROW, FIRST_VALUE_COL + offset, combo.code)
    if spec.has_total:
        _put(ws, KEY_ROW, FIRST_VALUE_COL + len(spec.columns), TOTAL_KEY)


def _write_table_row(
    ws, spec: TableSheet, line: int, row, values: dict, keys: list, checks: dict, *, masked: bool
) -> None:
    """One row: its hidden key, label, value cells (each recorded in `keys` with its version)
    and the total of the row as it was at download."""
    element = row.data_element
    _put(ws, line, KEY_COL, element.code)
    _put(ws, line, 2, line - FIRST_ROW + 1, border=True)
    label = row.title + (_(" (không bắt buộc)") if row.optional else "")
    label_cell = _put(ws, line, 3, label, wrap=True, border=True)
    if row.part_of_id:
        label_cell.alignment = Alignment(wrap_text=True, vertical="top", indent=2)
    _put(ws, line, 4, element.unit_of_measure, border=True)
    combos = spec.combos(row)
    hidden = masked and element.sensitive
    total = Decimal(0)
    for offset, combo in enumerate(spec.columns):
        cell = ws.cell(row=line, column=FIRST_VALUE_COL + offset)
        cell.border = BORDER
        if combo not in combos:
            cell.fill = GREY_FILL
            continue
        stored = values.get((element.pk, combo.pk))
        text = "" if hidden or stored is None else stored.value
        keys.append(("value", element.code, combo.code, text, stored.version if stored else 0))
        if hidden:
            cell.fill = GREY_FILL
            cell.comment = Comment(_("Số liệu nhạy cảm: chỉ đơn vị báo cáo xem được."), "x")
            continue
        _write_value(ws, cell, element, stored, checks)
        if text and element.is_numeric:
            total += Decimal(text)
    if spec.has_total:
        cell = ws.cell(row=line, column=FIRST_VALUE_COL + len(spec.columns))
        cell.border, cell.fill = BORDER, GREY_FILL
        if _total_applies(element, combos) and not hidden:
            has_value = any(getattr(values.get((element.pk, c.pk)), "value", "") for c in combos)
            cell.value = _excel_value(element, str(total)) if has_value else None
            cell.number_format = "#,##0" if element.value_type == ValueType.INTEGER else "0.##"


def _write_value(ws, cell, element: DataElement, stored: DataValue | None, checks: dict) -> None:
    """An input cell with the stored value, its "no data" reason as a note, and the validation
    of the element's value type."""
    _put(ws, cell.row, cell.column, _excel_value(element, stored.value if stored else ""))
    cell.fill = INPUT_FILL
    cell.protection = Protection(locked=False)
    if element.value_type == ValueType.INTEGER:
        cell.number_format = "#,##0"
    if stored and stored.no_data:
        cell.comment = Comment(
            _("Không có số liệu: %(r)s") % {"r": stored.comment[:500]}, "binhdang"
        )
    _validation(ws, checks, element.value_type).add(cell.coordinate)


def _text_digest(text: str) -> str:
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normalized.encode()).hexdigest()


def _write_narrative(ws, layout: Layout, answers: dict, keys: list) -> None:
    _put(ws, 1, 2, _("Đề cương báo cáo: trả lời từng câu hỏi vào cột “Trả lời”."), bold=True)
    _put(ws, 2, 2, _("(*) bắt buộc trả lời."))
    _put(ws, KEY_ROW, KEY_COL, NARRATIVE_MARK)
    _put(ws, KEY_ROW, 4, ANSWER_KEY)
    for col, header in enumerate([_("Mục"), _("Câu hỏi"), _("Trả lời")], start=2):
        _put(ws, HEADER_ROW, col, header, bold=True, fill=HEADER_FILL, border=True)
    for index, (section, question) in enumerate(layout.questions):
        line = FIRST_ROW + index
        answer = answers.get(question.pk)
        text = safe_text(answer.text if answer else "")
        _put(ws, line, KEY_COL, question.code)
        _put(ws, line, 2, f"{section.number} {section.title}".strip(), wrap=True, border=True)
        label = question.text + (" (*)" if question.required else "")
        _put(ws, line, 3, label, wrap=True, border=True)
        cell = _put(ws, line, 4, text or None, wrap=True, border=True)
        cell.fill = INPUT_FILL
        cell.protection = Protection(locked=False)
        keys.append(("answer", question.code, _text_digest(text), answer.version if answer else 0))
    for letter, width in {"A": 4, "B": 30, "C": 50, "D": 90}.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=4)
    _hide_keys(ws)
    _protect(ws)


def _write_keys(ws, submission: Submission, keys: list) -> None:
    form = submission.round.form
    header = [
        ("format", FORMAT),
        ("round", submission.round.code),
        ("unit", submission.unit.code),
        ("form", form.code, form.version),
        ("submission", submission.pk),
        ("exported_at", timezone.now().isoformat()),
    ]
    for line, entry in enumerate([*header, *keys], start=1):
        for col, value in enumerate(entry, start=1):
            _put(ws, line, col, value)
    ws.sheet_state = "veryHidden"
    _protect(ws)


def export_submission(submission: Submission, *, masked: bool = False) -> bytes:
    """The unit's report for the round as .xlsx bytes, holding the values stored now. `masked`:
    the reader may not see this unit's sensitive values (reports.disclosure): those cells are
    left blank and locked."""
    layout = build_layout(submission)
    values = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    answers = {a.question_id: a for a in submission.answers.all()}
    workbook = Workbook()
    cover = workbook.active
    cover.title = layout.cover
    _write_cover(cover, submission, layout)
    keys: list = []
    for spec in layout.tables:
        _write_table(workbook.create_sheet(spec.name), spec, values, keys, masked=masked)
    if layout.narrative:
        _write_narrative(workbook.create_sheet(layout.narrative), layout, answers, keys)
    _write_keys(workbook.create_sheet(KEYS_SHEET), submission, keys)
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_filename(submission: Submission) -> str:
    name = f"{submission.round.name} - {submission.unit.name}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", name).strip(" .-")[:150] + ".xlsx"


# ---------------------------------------------------------------------------------------------
# Parse (dry run): never raises, never writes.


@dataclass
class Problem:
    sheet: str
    cell: str
    message: str


@dataclass
class Change:
    sheet: str
    cell: str
    label: str
    old: str
    new: str


@dataclass
class ParseResult:
    cells: list[CellInput] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)  # question code → new text
    answer_versions: dict[str, int] = field(default_factory=dict)  # as downloaded
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Stop(Exception):
    """The file cannot be read any further; the problems say why."""


class _Problems:
    def __init__(self, result: ParseResult):
        self.result = result
        self.dropped = 0

    def add(self, sheet: str, cell: str, message: str) -> None:
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(Problem(sheet, cell, message))
        else:
            self.dropped += 1

    def stop(self, sheet: str, cell: str, message: str):
        self.add(sheet, cell, message)
        raise _Stop

    def finish(self) -> None:
        if self.dropped:
            self.result.problems.append(
                Problem("", "", _("… và %(n)s lỗi khác.") % {"n": self.dropped})
            )


def _coordinate(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _check_container(data: bytes, max_bytes: int, problems: _Problems) -> None:
    if not data:
        problems.stop("", "", _("Tệp rỗng."))
    if len(data) > max_bytes:
        problems.stop(
            "",
            "",
            _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": f"{max_bytes / 1024 / 1024:g}"},
        )
    if data.startswith(OLE_MAGIC):
        problems.stop(
            "",
            "",
            _(
                "Tệp được đặt mật khẩu hoặc là định dạng Excel 97–2003 (.xls): hãy mở bằng "
                "Excel, bỏ mật khẩu và lưu lại thành .xlsx."
            ),
        )
    not_xlsx = _("Tệp không phải là tệp Excel .xlsx (hệ thống kiểm tra nội dung, không chỉ đuôi).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        problems.stop("", "", not_xlsx)
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        problems.stop("", "", not_xlsx)
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
        problems.stop(
            "", "", _("Nội dung tệp khi giải nén quá lớn (tệp bất thường, có thể độc hại).")
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        problems.stop("", "", _("Tệp được mã hóa; hãy bỏ mật khẩu rồi tải lên lại."))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        problems.stop(
            "", "", _("Tệp có chứa macro; hãy lưu lại thành “Excel Workbook (.xlsx)” thường.")
        )


def _rows(ws, max_row: int, max_col: int):
    """(row number, [cells]) of a sheet, read in streaming mode and never past the caps."""
    for number, cells in enumerate(
        ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col), start=1
    ):
        yield number, list(cells)


def _read_keys(ws, submission: Submission, layout: Layout, problems: _Problems):
    cap = 20 + sum(len(t.rows) * len(t.columns) for t in layout.tables) + len(layout.questions)
    header, values, answers = {}, {}, {}
    for _number, cells in _rows(ws, cap + SLACK_ROWS, 6):
        entry = [c.value for c in cells] + [None] * 6
        kind = entry[0]
        if kind == "value" and None not in entry[1:3]:
            values[(str(entry[1]), str(entry[2]))] = (_as_text(entry[3]), _as_int(entry[4]))
        elif kind == "answer" and None not in entry[1:3]:
            answers[str(entry[1])] = (str(entry[2]), _as_int(entry[3]))
        elif isinstance(kind, str):
            header[kind] = entry[1:]
    form = submission.round.form
    cover = layout.cover
    if header.get("format", [None])[0] != FORMAT:
        problems.stop(cover, "", _("Tệp không phải tệp mẫu tải từ hệ thống (thiếu phần mã ẩn)."))
    found_round = _as_text(header.get("round", [""])[0])
    found_unit = _as_text(header.get("unit", [""])[0])
    found_form = header.get("form", ["", None])
    mismatch = False
    if found_round != submission.round.code:
        mismatch = True
        problems.add(
            cover,
            "B3",
            _("Tệp thuộc đợt báo cáo có mã “%(found)s”, không phải đợt “%(round)s” (%(code)s).")
            % {"found": found_round, "round": submission.round.name, "code": submission.round.code},
        )
    if found_unit != submission.unit.code:
        mismatch = True
        problems.add(
            cover,
            "B4",
            _("Tệp là báo cáo của đơn vị có mã “%(found)s”, không phải của %(unit)s (%(code)s).")
            % {"found": found_unit, "unit": submission.unit.name, "code": submission.unit.code},
        )
    if not mismatch and (_as_text(found_form[0]), _as_int(found_form[1])) != (
        form.code,
        form.version,
    ):
        mismatch = True
        problems.add(
            cover,
            "B5",
            _("Tệp được tạo từ phiên bản biểu mẫu khác; hãy tải tệp mẫu mới."),
        )
    if mismatch:
        raise _Stop
    return values, answers


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _formula(cell) -> bool:
    return cell.data_type == "f" or (
        isinstance(cell.value, str) and cell.data_type != "s" and cell.value.startswith("=")
    )


def _number_text(value: float) -> str:
    # A decimal comma, so parse_number never mistakes 1.234 for a thousand separator.
    return format(Decimal(repr(value)), "f").replace(".", ",")


def _cell_raw(cell, element: DataElement) -> str:
    """The text of a value cell as the web form would receive it, or a ValidationError."""
    value = cell.value
    if _formula(cell):
        raise ValidationError(_("Ô có công thức; chỉ nhập giá trị, không dùng công thức."))
    if cell.data_type == "e":
        raise ValidationError(_("Ô có lỗi “%(v)s”; hãy nhập giá trị.") % {"v": str(value)[:20]})
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(_("Giá trị không hợp lệ."))
        if element.value_type == ValueType.PERCENTAGE and "%" in str(
            getattr(cell, "number_format", "") or ""
        ):
            value = float(Decimal(repr(value)) * 100)
        return _number_text(value)
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise ValidationError(_("Ô chứa ngày tháng hoặc giờ, không phải số liệu."))
    if isinstance(value, str):
        if element.is_numeric:
            _refuse_formula_text(value)
        return value
    raise ValidationError(_("Không đọc được giá trị của ô."))


def _refuse_formula_text(text: str) -> None:
    """A number cell holding text a spreadsheet would run as a formula (core.spreadsheet's one
    rule, after leading spaces) is refused, never read as a number: "+5" or "=5" typed as text
    must not become 5. A leading minus is the exception only in its message: clean_value refuses
    it anyway, more precisely (no negative numbers; "-1+2" is not a number)."""
    start = text.lstrip()
    if is_formula_like(start) and not start.startswith("-"):
        raise ValidationError(
            _("Ô số liệu không được bắt đầu bằng “%(c)s”; chỉ nhập số.") % {"c": start[0]}
        )


def _display(element: DataElement, value: str, no_data: bool = False) -> str:
    if no_data and value == "":
        return _("không có số liệu")
    if element.value_type == ValueType.BOOLEAN and value:
        return _("Có") if value == "true" else _("Không")
    return value


def _marked_grid(ws, mark: str, sheet: str, cap_rows: int, cap_cols: int, problems):
    """The key row (column → key) and the data rows (row number → key, cells) of a sheet."""
    grid = list(_rows(ws, cap_rows, cap_cols))
    if len(grid) < KEY_ROW or grid[KEY_ROW - 1][1][KEY_COL - 1].value != mark:
        problems.add(
            sheet,
            _coordinate(KEY_ROW, KEY_COL),
            _(
                "Trang tính đã bị sửa cấu trúc (mất dòng hoặc cột mã ẩn); "
                "hãy tải tệp mẫu mới và nhập lại."
            ),
        )
        return None, None
    key_cells = grid[KEY_ROW - 1][1]
    columns: dict[str, list[int]] = {}
    for col, cell in enumerate(key_cells, start=1):
        if col > KEY_COL and isinstance(cell.value, str) and cell.value:
            columns.setdefault(cell.value, []).append(col)
    lines = [(number, cells) for number, cells in grid if number > HEADER_ROW]
    return columns, lines


def _read_table(ws, spec: TableSheet, problems: _Problems) -> dict:
    """(element code, combo code) → cell for every value cell found by its keys."""
    sheet = spec.name
    cap_rows = FIRST_ROW + len(spec.rows) + SLACK_ROWS
    cap_cols = FIRST_VALUE_COL + len(spec.columns) + SLACK_COLS
    columns, lines = _marked_grid(ws, TABLE_MARK, sheet, cap_rows, cap_cols, problems)
    if columns is None:
        return {}
    expected_rows = {row.data_element.code: row for row in spec.rows}
    expected_cols = {combo.code: combo for combo in spec.columns}
    _check_columns(sheet, columns, expected_cols, problems)
    value_cols = {cols[0]: code for code, cols in columns.items() if code in expected_cols}
    found: dict[tuple[str, str], tuple[int, int, object]] = {}
    seen: dict[str, int] = {}
    for number, cells in lines:
        key = cells[KEY_COL - 1].value
        if key is None or key == "":
            _check_keyless_row(sheet, number, cells, value_cols, problems)
            continue
        key = str(key)
        if key not in expected_rows:
            problems.add(
                sheet,
                _coordinate(number, KEY_COL),
                _("Dòng %(n)s có mã “%(k)s” không thuộc bảng này.") % {"n": number, "k": key[:50]},
            )
        elif key in seen:
            problems.add(
                sheet,
                _coordinate(number, KEY_COL),
                _("Dòng “%(t)s” bị lặp lại (dòng %(a)s và %(b)s).")
                % {"t": expected_rows[key].title, "a": seen[key], "b": number},
            )
        else:
            seen[key] = number
            for col, code in value_cols.items():
                if col <= len(cells):
                    found[(key, code)] = (number, col, cells[col - 1])
    for code, row in expected_rows.items():
        if code not in seen:
            problems.add(
                sheet,
                "",
                _("Thiếu dòng “%(t)s” (dòng đã bị xóa hoặc sửa mã ẩn).") % {"t": row.title},
            )
    return found


def _check_columns(sheet: str, columns: dict, expected: dict, problems: _Problems) -> None:
    """Every column key once, and only the table's (and the total's)."""
    for code, cols in columns.items():
        where = _coordinate(KEY_ROW, cols[-1])
        if code in expected and len(cols) > 1:
            title = _column_title(expected[code])
            problems.add(sheet, where, _("Cột “%(c)s” bị lặp lại.") % {"c": title})
        elif code not in expected and code != TOTAL_KEY:
            problems.add(sheet, where, _("Cột có mã “%(c)s” không thuộc bảng này.") % {"c": code})
    for code, combo in expected.items():
        if code not in columns:
            problems.add(
                sheet,
                "",
                _("Thiếu cột “%(c)s” (cột đã bị xóa hoặc sửa mã ẩn).")
                % {"c": _column_title(combo)},
            )


def _check_keyless_row(
    sheet: str, number: int, cells: list, value_cols: dict, problems: _Problems
) -> None:
    """A row without a key (inserted, or its key lost) must hold no value."""
    for col in value_cols:
        if col <= len(cells) and cells[col - 1].value not in (None, ""):
            problems.add(
                sheet,
                _coordinate(number, col),
                _(
                    "Ô có số liệu nhưng không thuộc dòng chỉ tiêu nào (dòng thêm vào "
                    "hoặc mất mã ẩn); hãy xóa hoặc chuyển vào đúng dòng."
                ),
            )
            return


def _read_narrative(ws, sheet: str, layout: Layout, problems: _Problems) -> dict:
    cap_rows = FIRST_ROW + len(layout.questions) + SLACK_ROWS
    columns, lines = _marked_grid(ws, NARRATIVE_MARK, sheet, cap_rows, 4 + SLACK_COLS, problems)
    if columns is None:
        return {}
    if ANSWER_KEY not in columns:
        problems.add(sheet, "", _("Thiếu cột “Trả lời” (cột đã bị xóa hoặc sửa mã ẩn)."))
        return {}
    answer_col = columns[ANSWER_KEY][0]
    expected = {q.code: q for _section, q in layout.questions}
    found = {}
    for number, cells in lines:
        key = cells[KEY_COL - 1].value
        if key is None or key == "":
            continue
        key = str(key)
        if key not in expected:
            problems.add(
                sheet,
                _coordinate(number, KEY_COL),
                _("Dòng %(n)s có mã “%(k)s” không thuộc đề cương.") % {"n": number, "k": key[:50]},
            )
        elif key in found:
            problems.add(
                sheet,
                _coordinate(number, KEY_COL),
                _("Câu hỏi “%(q)s” bị lặp lại.") % {"q": expected[key].text[:80]},
            )
        elif answer_col <= len(cells):
            found[key] = (number, answer_col, cells[answer_col - 1])
    for code, question in expected.items():
        if code not in found:
            problems.add(
                sheet,
                "",
                _("Thiếu câu hỏi “%(q)s” (dòng đã bị xóa hoặc sửa mã ẩn).")
                % {"q": question.text[:80]},
            )
    return found


def _answer_text(cell) -> str:
    if _formula(cell) or cell.data_type == "e":
        raise ValidationError(_("Ô có công thức; chỉ nhập nội dung, không dùng công thức."))
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _parse(submission: Submission, data: bytes, max_bytes: int, result: ParseResult, problems):
    _check_container(data, max_bytes, problems)
    layout = build_layout(submission)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
        except Exception:  # openpyxl raises many kinds on a broken file
            logger.info("unreadable workbook for submission %s", submission.pk, exc_info=True)
            problems.stop("", "", _("Không đọc được tệp Excel: tệp bị hỏng hoặc sai định dạng."))
        try:
            _parse_workbook(submission, workbook, layout, result, problems)
        finally:
            workbook.close()


def _parse_workbook(submission, workbook, layout: Layout, result: ParseResult, problems):
    names = list(workbook.sheetnames)
    if KEYS_SHEET not in names:
        problems.stop(
            "",
            "",
            _(
                "Tệp không phải tệp mẫu tải từ hệ thống (thiếu phần mã ẩn); hãy tải tệp mẫu ở "
                "trang báo cáo của đơn vị rồi nhập số liệu vào đó."
            ),
        )
    base_values, base_answers = _read_keys(workbook[KEYS_SHEET], submission, layout, problems)
    _check_sheets(names, layout, problems)
    current = {
        (v.data_element_id, v.option_combo_id): v
        for v in submission.values.select_related("data_element", "option_combo")
    }
    changes = _TableChanges(current=current, final=dict(current))
    for spec in layout.tables:
        if spec.name not in names or not hasattr(workbook[spec.name], "iter_rows"):
            continue
        found = _read_table(workbook[spec.name], spec, problems)
        for row in spec.rows:
            for combo in spec.combos(row):
                key = (row.data_element.code, combo.code)
                if key in found:
                    base = base_values.get(key)
                    _parse_value(spec.name, row, combo, found[key], base, changes, result, problems)
    _check_changed_parts(changes, result, problems)
    if layout.narrative and layout.narrative in names:
        sheet = layout.narrative
        _parse_answers(submission, workbook[sheet], sheet, layout, base_answers, result, problems)


def _check_sheets(names: list[str], layout: Layout, problems: _Problems) -> None:
    """The workbook's sheets are the layout's (and the key sheet), no more, no fewer."""
    expected = layout.sheet_names
    for name in names:
        if name not in expected and name != KEYS_SHEET:
            problems.add(
                name,
                "",
                _(
                    "Trang tính “%(s)s” không thuộc biểu mẫu (thêm vào hoặc đổi tên); hãy xóa "
                    "hoặc trả lại tên cũ."
                )
                % {"s": name},
            )
    for name in expected:
        if name not in names:
            problems.add(
                name, "", _("Thiếu trang tính “%(s)s” (đã bị xóa hoặc đổi tên).") % {"s": name}
            )


@dataclass
class _TableChanges:
    """The table values stored now and as they will be once the file is imported, keyed by
    (element id, option combo id), and each changed cell (sheet, cell, row, combo, new value)."""

    current: dict
    final: dict
    cells: list = field(default_factory=list)


def _parse_value(
    sheet: str,
    row: Row,
    combo,
    found: tuple,
    base: tuple | None,
    changes: _TableChanges,
    result: ParseResult,
    problems: _Problems,
) -> None:
    """One value cell of the file against its downloaded value (`base`: value, version): a
    changed cell becomes a CellInput when nobody changed the stored value since."""
    number, col, cell = found
    element = row.data_element
    where = _coordinate(number, col)
    label = _cell_label(row, combo)
    try:
        raw = _cell_raw(cell, element)
        value = element.clean_value(raw)
    except ValidationError as error:
        problems.add(sheet, where, f"{label}: {' '.join(error.messages)}")
        return
    if base is None or base[1] is None:
        problems.add(sheet, where, _("%(l)s: thiếu mã ẩn của ô.") % {"l": label})
        return
    if value == base[0]:
        return  # untouched in the file: whatever the system holds now stays
    existing = changes.current.get((element.pk, combo.pk))
    if (existing.version if existing else 0) != base[1]:
        problems.add(
            sheet,
            where,
            _(
                "%(l)s: số liệu trên hệ thống đã được sửa thành “%(v)s” sau khi tải "
                "tệp này; hãy tải tệp mẫu mới rồi nhập lại."
            )
            % {
                "l": label,
                # A sensitive value is never echoed: the reader may not see it.
                "v": _display(element, existing.value)
                if existing and not element.sensitive
                else "…",
            },
        )
        return
    changes.final[(element.pk, combo.pk)] = DataValue(value=value, no_data=False)
    changes.cells.append((sheet, where, row, combo, value))
    result.cells.append(
        CellInput(
            row=row,
            option_combo=combo,
            raw=raw,
            comment=existing.comment if existing else "",
            expected_version=base[1],
        )
    )


def _check_changed_parts(changes: _TableChanges, result: ParseResult, problems: _Problems) -> None:
    """Parts and totals of every changed cell against the values as they will be; the changes
    that pass are listed for the user to confirm."""
    numbers = {
        key: stored_number(v.value) if not v.no_data and v.value else None
        for key, v in changes.final.items()
    }
    for sheet, where, row, combo, value in changes.cells:
        try:
            check_parts(row, combo, numbers.get((row.data_element_id, combo.pk)), numbers)
        except ValidationError as error:
            problems.add(sheet, where, " ".join(error.messages))
            continue
        existing = changes.current.get((row.data_element_id, combo.pk))
        result.changes.append(
            Change(
                sheet,
                where,
                _cell_label(row, combo),
                _display(row.data_element, existing.value, existing.no_data) if existing else "",
                _display(row.data_element, value),
            )
        )


def _parse_answers(
    submission, ws, sheet: str, layout: Layout, base_answers, result, problems
) -> None:
    if not hasattr(ws, "iter_rows"):
        return
    found = _read_narrative(ws, sheet, layout, problems)
    current = {a.question.code: a for a in submission.answers.select_related("question")}
    questions = {q.code: q for _section, q in layout.questions}
    for code, (number, col, cell) in found.items():
        where = _coordinate(number, col)
        label = _shorten(questions[code].text, 80)
        try:
            text = _answer_text(cell)
        except ValidationError as error:
            problems.add(sheet, where, f"“{label}”: {' '.join(error.messages)}")
            continue
        base = base_answers.get(code)
        if base is None or base[1] is None:
            problems.add(sheet, where, _("“%(l)s”: thiếu mã ẩn của ô.") % {"l": label})
            continue
        if _text_digest(text) == base[0]:
            continue
        existing = current.get(code)
        if (existing.version if existing else 0) != base[1]:
            problems.add(
                sheet,
                where,
                _(
                    "“%(l)s”: câu trả lời trên hệ thống đã được sửa sau khi tải tệp này; hãy tải "
                    "tệp mẫu mới rồi nhập lại."
                )
                % {"l": label},
            )
            continue
        result.answers[code] = text
        result.answer_versions[code] = base[1]
        old = existing.text if existing else ""
        result.changes.append(Change(sheet, where, f"“{label}”", _shorten(old), _shorten(text)))


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_submission(submission: Submission, data: bytes, max_bytes: int) -> ParseResult:
    """Read an uploaded workbook against the unit's report: what would change, or every
    problem found (sheet, cell, Vietnamese message). Never raises on a bad file, never writes."""
    result = ParseResult()
    problems = _Problems(result)
    try:
        _parse(submission, bytes(data or b""), max_bytes, result, problems)
    except _Stop:
        pass
    except Exception:  # a hostile file must give a problem list, never a server error
        logger.exception("Excel import failed for submission %s", submission.pk)
        problems.add("", "", _("Không đọc được tệp Excel: tệp bị hỏng hoặc sai định dạng."))
    problems.finish()
    if result.problems:
        result.cells, result.answers, result.answer_versions, result.changes = [], {}, {}, []
    return result


# ---------------------------------------------------------------------------------------------
# Apply


@transaction.atomic
def apply_import(*, submission: Submission, result: ParseResult, actor, request=None) -> int:
    """Store a clean parse result: every value and answer, or nothing (ValidationError,
    CellErrors or ConcurrentEdit). Returns the number of changed cells and answers."""
    if result.problems:
        raise ValidationError(_("Tệp còn lỗi, chưa nhập được."))
    if result.cells:
        save_values(submission=submission, cells=result.cells, actor=actor, request=request)
    if result.answers:
        questions = {
            q.code: q
            for q in Question.objects.filter(
                section__form_id=submission.round.form_id, code__in=result.answers
            )
        }
        for code, text in result.answers.items():
            save_answer(
                submission=submission,
                question=questions[code],
                text=text,
                expected_version=result.answer_versions[code],
                actor=actor,
                request=request,
            )
    return len(result.changes)
