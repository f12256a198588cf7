"""Catalogue import and export: round trips, all-or-nothing, no formulas."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from indicators.exchange import (
    ELEMENTS,
    INDICATORS,
    KINDS,
    TARGETS,
    export_csv,
    export_xlsx,
    import_catalogue,
    read_upload,
)
from indicators.models import ComputedIndicator, DataElement, Target
from indicators.services import load_catalogue

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def catalogue():
    load_catalogue()


def _wipe_and_scramble():
    Target.objects.all().delete()
    ComputedIndicator.objects.all().delete()
    DataElement.objects.filter(code="TK_NU_DBHDND").update(agency="", periodicity="x", group="")
    DataElement.objects.filter(code="BDG_M2_DN").update(name="Đổi", sensitive=True)


def _import(name, content, actor, apply=True):
    tables, report = read_upload(name, content)
    return import_catalogue(tables=tables, actor=actor, apply=apply, report=report)


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_xlsx_round_trip_reproduces_the_catalogue(catalogue, coordinator):
    original = export_xlsx()
    before = {kind: export_csv(kind) for kind in KINDS}
    _wipe_and_scramble()
    report = _import("danh-muc.xlsx", original, coordinator)
    assert report.problems == [] and report.applied
    assert report.created[TARGETS] == 38 and report.created[INDICATORS] == 13
    assert report.updated[ELEMENTS] == 2
    assert {kind: export_csv(kind) for kind in KINDS} == before
    again = _import("danh-muc.xlsx", original, coordinator, apply=False)
    assert sum(again.created.values()) + sum(again.updated.values()) == 0


def test_csv_round_trip_reproduces_the_catalogue(catalogue, coordinator):
    before = {kind: export_csv(kind) for kind in KINDS}
    _wipe_and_scramble()
    for kind in KINDS:  # one table a file, in order: indicators cite elements, targets indicators
        report = _import(f"{kind}.csv", before[kind], coordinator)
        assert report.problems == [] and report.applied, report.problems
    assert {kind: export_csv(kind) for kind in KINDS} == before


def test_import_is_audited(catalogue, coordinator):
    exported = export_csv(TARGETS)
    Target.objects.filter(code="M1-CT").delete()
    count = Event.objects.count()
    _import("targets.csv", exported, coordinator)
    events = Event.objects.filter(object_type="indicators.target").order_by("-id")[:2]
    assert Event.objects.count() == count + 2
    assert {e.actor_id for e in events} == {coordinator.pk}


def test_a_bad_file_changes_nothing_and_names_row_and_column(catalogue, coordinator):
    before = {kind: export_csv(kind) for kind in KINDS}
    events = Event.objects.count()
    content = (
        "code,national_code,group,name,value_type,unit,combo,sensitive\r\n"
        "NEW_OK,0107,Dân số,Tuổi kết hôn trung bình lần đầu,number,tuổi,default,không\r\n"
        "BAD CODE,12,,Tên,number,,default,không\r\n"
        "NEW_2,,,,kiểu lạ,,NO_COMBO,có lẽ\r\n"
        "NEW_OK,,,Trùng,number,,default,\r\n"
    ).encode()
    report = _import("elements.csv", content, coordinator)
    assert not report.applied
    found = {(p.row, p.column) for p in report.problems}
    assert {(3, "code"), (4, "name"), (4, "value_type"), (4, "combo"), (4, "sensitive")} <= found
    assert (5, "code") in found
    assert all(p.table == "elements.csv" for p in report.problems)
    assert any("Trùng mã" in p.message for p in report.problems)
    assert not DataElement.objects.filter(code="NEW_OK").exists()
    assert {kind: export_csv(kind) for kind in KINDS} == before
    assert Event.objects.count() == events


def test_bad_expressions_and_references_are_reported(catalogue, coordinator):
    indicators = (
        "code,name,numerator,denominator,factor\r\n"
        "X1,Thử,BDG_M2_DN[OTHER],NOPE,-5\r\n"
        "X2,Thử,A -,BDG_M2_DN,100\r\n"
    ).encode()
    report = _import("indicators.csv", indicators, coordinator)
    found = {(p.row, p.column) for p in report.problems}
    assert {(2, "numerator"), (2, "denominator"), (2, "factor"), (3, "numerator")} <= found
    targets = (
        "code,year,description,value_text,direction,indicator\r\n"
        "T1,20x5,Nội dung,50,,\r\n"
        "T2,2025,Nội dung,50,nhiều hơn,NOPE\r\n"
        "T3,2025,,50,,\r\n"
    ).encode()
    report = _import("targets.csv", targets, coordinator)
    found = {(p.row, p.column) for p in report.problems}
    assert {(2, "year"), (3, "direction"), (3, "indicator"), (4, "description")} <= found
    assert not Target.objects.filter(code__in=["T1", "T2", "T3"]).exists()


def test_a_new_indicator_and_its_target_in_one_workbook(catalogue, coordinator):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "numerator", "denominator", "objective"])
    sheet.append(["HDND_NU", "Tỷ lệ nữ", "BDG_M1_LDQL[FEMALE]", "BDG_M1_LDQL", 1])
    targets = workbook.create_sheet("t")
    targets.append(["code", "year", "description", "value_text", "indicator"])
    targets.append(["P-1", 2026, "Tỉnh: nữ lãnh đạo", "không dưới 35", "HDND_NU"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _import("moi.xlsx", buffer.getvalue(), coordinator)
    assert report.problems == [], report.problems
    target = Target.objects.get(code="P-1")
    assert target.indicator.code == "HDND_NU" and target.value == 35
    assert target.direction == "at_least"


def test_formulas_are_escaped_on_export_and_never_evaluated_on_import(catalogue, coordinator):
    element = DataElement.objects.get(code="TK_SRB")
    element.description = '=HYPERLINK("http://evil","x")'
    element.group = "+1"
    element.save()
    csv_text = export_csv(ELEMENTS).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",'+1," in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx()))["Chỉ tiêu dữ liệu"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    (link,) = [c for c in cells if c.value == '=HYPERLINK("http://evil","x")']
    assert link.data_type == "s" and link.quotePrefix  # Excel shows it as text, never runs it
    # Read back, the text is the text again, from either format.
    report = _import("e.csv", csv_text.encode(), coordinator, apply=False)
    assert report.problems == [] and report.updated[ELEMENTS] == 0
    report = _import("e.xlsx", export_xlsx(), coordinator, apply=False)
    assert report.problems == [] and report.updated[ELEMENTS] == 0

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "value_type"])
    sheet.append(["F1", "=1+1", "number"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _import("f.xlsx", buffer.getvalue(), coordinator)
    assert [(p.row, p.column) for p in report.problems][0] == (2, "name")
    assert "công thức" in report.problems[0].message
    assert not DataElement.objects.filter(code="F1").exists()


def test_unknown_files_are_refused(coordinator):
    report = _import("x.xlsx", b"not a workbook", coordinator)
    assert report.problems and "Không đọc được tệp" in report.problems[0].message
    report = _import("x.csv", b"a,b\r\n1,2\r\n", coordinator)
    assert "Không nhận ra bảng" in report.problems[0].message
    report = _import("x.csv", "code,year\r\nÁ,2025".encode("utf-16"), coordinator)
    assert "UTF-8" in report.problems[0].message


def test_import_page_dry_run_then_apply(client, coordinator, catalogue):
    client.force_login(coordinator)
    content = "code,name,value_type,national_code\r\nCT_NEW,Chỉ tiêu mới,percentage,0201\r\n"

    def post(action):
        upload = SimpleUploadedFile("e.csv", content.encode(), content_type="text/csv")
        return client.post(reverse("indicators:import"), {"file": upload, "action": action})

    response = post("check")
    assert response.status_code == 200 and "1 thêm" in response.content.decode()
    assert not DataElement.objects.filter(code="CT_NEW").exists()
    response = post("apply")
    assert response.status_code == 302
    assert DataElement.objects.get(code="CT_NEW").national_code == "0201"


def test_a_blank_direction_on_a_decrease_row_reads_as_a_ceiling(catalogue, coordinator):
    workbook = openpyxl.Workbook()
    targets = workbook.active
    targets.append(["code", "year", "description", "value_text"])
    targets.append(["P-2", 2027, "Giảm số giờ làm việc nhà không được trả công của phụ nữ", "1,6"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _import("giam.xlsx", buffer.getvalue(), coordinator)
    assert report.problems == [], report.problems
    assert Target.objects.get(code="P-2").direction == "at_most"
