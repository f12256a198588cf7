import pytest
from django.urls import reverse

from indicators.services import load_catalogue
from reports.models import Round
from reports.tests.test_api import ANNUAL, fill, move_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual(coordinator):
    load_catalogue()
    move_round()
    fill("SYT", coordinator)
    return Round.objects.get(code=ANNUAL)


def test_dashboard_shows_targets_by_objective_and_follows_each_save(client, coordinator, annual):
    from reports.services import submissions as services

    client.force_login(coordinator)
    url = reverse("analytics:dashboard")
    response = client.get(url, {"round": ANNUAL})
    lines = {line.code: line for _title, group in response.context["objectives"] for line in group}
    assert {"M2-CT1", "M3-CT2a", "M4-CT1"} <= set(lines)
    before = lines["M2-CT1"].value
    submission = annual.submissions.get(unit__code="CAT")
    row = annual.form.rows().get(data_element__code="BDG_M2_LD_LUONG")
    female = row.data_element.category_combo.option_combos.get(code="FEMALE")
    services.save_values(
        submission=submission,
        cells=[services.CellInput(row=row, option_combo=female, raw="5000")],
        actor=coordinator,
    )
    response = client.get(url, {"round": ANNUAL})  # the very next request, no job in between
    lines = {line.code: line for _title, group in response.context["objectives"] for line in group}
    assert lines["M2-CT1"].value > before
    body = response.content.decode()
    assert "Đạt ít nhất" in body and "(2025)" in body


def test_dashboard_csv_and_access(client, coordinator, reporter, annual):
    client.force_login(coordinator)
    response = client.get(reverse("analytics:dashboard"), {"round": ANNUAL, "format": "csv"})
    assert response["Content-Type"] == "text/csv"
    assert "M2-CT1" in response.content.decode("utf-8-sig")
    client.force_login(reporter)
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_pivot_table_and_downloads(client, coordinator, annual):
    import io

    from openpyxl import load_workbook

    client.force_login(coordinator)
    query = {"row": "dx", "col": "sex", "dx": ["M2-CT1", "BDG_M2_LD"], "pe": [ANNUAL]}
    response = client.get(reverse("analytics:pivot"), query)
    table = response.context["table"]
    assert [row[0].label for row in table.row_keys][0].startswith("Tỷ lệ lao động nữ")
    assert [column[0].label for column in table.column_keys] == ["Nam", "Nữ", "Tổng số"]
    book = load_workbook(
        io.BytesIO(client.get(reverse("analytics:pivot"), {**query, "format": "xlsx"}).content)
    )
    assert book.active.max_row == 2 + 1 + len(table.row_keys)  # title, blank, header, lines


def test_a_unit_sees_its_own_figures_and_deadlines(client, reporter, outsider, annual):
    client.force_login(reporter)
    response = client.get(reverse("analytics:unit"))
    assert response.status_code == 200
    assert {s.unit.code for s in response.context["submissions"]} == {"SYT"}
    lines = {line.code: line for _t, group in response.context["objectives"] for line in group}
    assert lines["M2-CT1"].value is not None  # Sở Y tế's own values
    client.force_login(outsider)  # Công an tỉnh has entered nothing
    response = client.get(reverse("analytics:unit"))
    assert response.context["round"] is None


def test_meeting_page_summarises_for_leaders(client, leader, reporter, annual):
    client.force_login(leader)
    response = client.get(reverse("analytics:meeting"))
    assert response.status_code == 200
    context = response.context
    assert context["round"].code == ANNUAL
    from indicators.models import Target

    linked = Target.objects.filter(indicator__isnull=False).values("indicator").distinct().count()
    assert len(context["met"]) + len(context["missed"]) + len(context["unknown"]) == linked
    assert "Công tác bình đẳng giới tỉnh Quảng Ngãi — tóm tắt" in response.content.decode()
    client.force_login(reporter)
    assert client.get(reverse("analytics:meeting")).status_code == 403


def test_small_gbv_counts_stay_hidden_whatever_the_request_shape(coordinator):
    from analytics import engine, figures
    from conftest import make_user
    from core.roles import Role
    from indicators.models import ComputedIndicator, DataElement
    from reports.models import Submission
    from reports.services import submissions as services
    from reports.tests.factories import make_form, open_round

    form = make_form(rows=2, code="GBV", with_part=False)
    DataElement.objects.filter(code__startswith="GBV_").update(sensitive=True)
    round_ = open_round(form, code="R-GBV")
    rows = list(form.rows())
    male, female = rows[0].data_element.category_combo.option_combos.all()
    cells = [
        services.CellInput(row=rows[0], option_combo=male, raw="3"),
        services.CellInput(row=rows[0], option_combo=female, raw="10"),
        services.CellInput(row=rows[1], option_combo=male, raw="20"),
        services.CellInput(row=rows[1], option_combo=female, raw="30"),
    ]
    submission = Submission.objects.get(round=round_, unit__code="SYT")
    typist = make_user("syt.nhaplieu", Role.REPORTER, "SYT")  # only the unit writes GBV cells
    services.save_values(submission=submission, cells=cells, actor=typist)
    ComputedIndicator.objects.create(
        code="GBV-RATE",
        name="Tỷ lệ",
        sensitive=True,
        factor=100,
        numerator=[{"element": "GBV_E000", "combo": "MALE"}],
        denominator=[{"element": "GBV_E001", "combo": None}],
    )

    def texts(**shape):
        result = engine.aggregate(user=coordinator, rounds=["R-GBV"], units=["51"], **shape)
        return {(r.dx, r.co): t for r, t in engine.displayed(result)}

    # The total (13) is not small; the breakdown hides 3 and, since 13 − 10 would give it
    # away, 10 as well.
    assert texts(elements=["GBV_E000"]) == {("GBV_E000", None): "13"}
    split = texts(elements=["GBV_E000"], by_combo=True)
    assert split == {
        ("GBV_E000", "MALE"): "<5",
        ("GBV_E000", "FEMALE"): "x",
        ("GBV_E000", None): "13",
    }
    assert texts(elements=["GBV_E000"], combos=["FEMALE"]) == {("GBV_E000", None): "x"}
    assert texts(indicators=["GBV-RATE"]) == {("GBV-RATE", None): "x"}  # 3 / 50 would tell
    assert texts(elements=["GBV_E001"]) == {("GBV_E001", None): "50"}
    shown = figures.element_figures(
        user=coordinator, round_=round_, unit_code="51", codes=["GBV_E000"]
    )
    assert [row[1:] for row in shown] == [("<5", "x", "13")]


def test_pivot_downloads_keep_formula_like_text_as_text():
    import csv
    import datetime
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from analytics import pivot

    evil = '=HYPERLINK("http://evil.example","x")'
    row, column = (pivot.Item("A", evil),), (pivot.Item("B", "-5"),)
    table = pivot.Table(
        layout=pivot.Layout(rows=["ou"], columns=["dx"], dx=["B"], pe=["R"]),
        row_keys=[row, (pivot.Item("SYT", "Sở Y tế"),)],
        column_keys=[column],
        cells={
            (("A",), ("B",)): pivot.Cell("1.234", Decimal(1234), "B"),
            (("SYT",), ("B",)): pivot.Cell("<5", None, "B"),
        },
        filters=[("Đợt báo cáo", "+1")],
        as_of=datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC),
    )
    rows = list(csv.reader(io.StringIO(pivot.to_csv(table).decode("utf-8-sig"))))
    assert rows[2] == ["'" + evil, "1.234"] and rows[1] == ["Đơn vị", "'-5"]
    assert rows[3] == ["Sở Y tế", "<5"]
    sheet = load_workbook(io.BytesIO(pivot.to_xlsx(table))).active
    formula = sheet.cell(row=4, column=1)
    assert formula.value == evil and formula.data_type == "s" and formula.quotePrefix
    assert sheet.cell(row=3, column=2).value == "-5" and sheet.cell(row=3, column=2).quotePrefix
    assert sheet.cell(row=4, column=2).value == 1234
    assert [c.value for c in sheet[5]] == ["Sở Y tế", "<5"]


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_late_tasks_are_counted_by_plan_each_leading_to_its_late_tasks(client, coordinator, annual):
    """The figure is the sum of what its links show: a task of last year's plan still open is
    as late as this year's, and each plan's link lists exactly its late tasks."""
    import datetime

    from django.utils import timezone

    from plans.models import Plan, Task
    from plans.services import copy_plan

    today = timezone.localdate()
    old = Plan.objects.get(year=2025)
    new = copy_plan(plan=old, year=2026, actor=coordinator)
    Task.objects.filter(item__plan=old).update(due_on=today + datetime.timedelta(days=9))
    Task.objects.filter(item__plan=new).update(due_on=today + datetime.timedelta(days=9))
    late_old = list(Task.objects.filter(item__plan=old)[:2])
    late_new = list(Task.objects.filter(item__plan=new)[:3])
    for task in late_old + late_new:
        Task.objects.filter(pk=task.pk).update(due_on=today - datetime.timedelta(days=1))
    client.force_login(coordinator)
    response = client.get(reverse("analytics:dashboard"), {"round": ANNUAL})
    assert response.context["overdue_tasks"] == 5
    assert response.context["overdue_plans"] == [(new, 3), (old, 2)]
    body = response.content.decode()
    assert "kế hoạch năm 2026: 3" in body and "kế hoạch năm 2025: 2" in body
    listed = client.get(reverse("plans:detail", args=[old.pk]), {"status": "overdue"})
    shown = {t.pk for item in listed.context["items"] for t in item.shown_tasks}
    assert shown == {t.pk for t in late_old}
