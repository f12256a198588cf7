"""Targets, computed indicators and exchange pages: who sees and changes what."""

import pytest
from django.urls import reverse

from audit.models import Action, Event
from indicators.models import ComputedIndicator, Target
from indicators.services import load_catalogue

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def catalogue():
    load_catalogue()


def url(name, *args):
    return reverse(f"indicators:{name}", args=args)


def indicator_data(**changes):
    data = {
        "code": "NU_LDQL",
        "name": "Tỷ lệ nữ lãnh đạo, quản lý",
        "numerator_text": "BDG_M1_LDQL[FEMALE]",
        "denominator_text": "BDG_M1_LDQL",
        "factor": "100",
        "unit_of_measure": "%",
        "objective": "1",
    }
    return {**data, **changes}


def test_targets_page_groups_by_objective_with_years_and_verification(client, leader):
    client.force_login(leader)
    response = client.get(url("targets"))
    body = response.content.decode()
    assert response.context["years"] == [2025, 2030]
    assert [g["number"] for g in response.context["objectives"]] == [1, 2, 3, 4, 5, 6]
    assert "Mục tiêu 4: Y tế" in body and "bé trai/100 bé gái" in body
    assert body.count("badge done") == 16  # M5-CT3-TS (doctors) counts as its own verified line
    assert body.count("kiểm chứng một phần") >= 2 and "chưa kiểm chứng" in body
    assert "Không vượt quá" in body and "M3-CT2a" in body
    assert "/targets/" not in body.split("<h1>")[1]  # readers get no edit links


def test_coordinator_creates_and_edits_an_indicator_audited(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("indicator_new"), indicator_data())
    assert response.status_code == 302
    indicator = ComputedIndicator.objects.get(code="NU_LDQL")
    assert indicator.numerator == [{"element": "BDG_M1_LDQL", "combo": "FEMALE"}]
    response = client.post(
        url("indicator_edit", indicator.pk),
        indicator_data(denominator_text="BDG_M1_LDQL[MALE] + BDG_M1_LDQL[FEMALE]"),
    )
    assert response.status_code == 302
    events = Event.objects.for_object(indicator)
    assert [e.action for e in events] == [Action.UPDATE, Action.CREATE]
    assert events[0].changes["denominator"] == [
        "BDG_M1_LDQL",
        "BDG_M1_LDQL[MALE] + BDG_M1_LDQL[FEMALE]",
    ]
    response = client.get(url("indicator_edit", indicator.pk))
    assert "BDG_M1_LDQL[MALE] + BDG_M1_LDQL[FEMALE]" in response.content.decode()


def test_an_expression_over_unknown_codes_is_refused(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("indicator_new"), indicator_data(numerator_text="BDG_M1_CQ[NU]"))
    assert response.status_code == 200
    assert "không có phương án phân tổ NU" in response.content.decode()
    assert not ComputedIndicator.objects.filter(code="NU_LDQL").exists()


def test_coordinator_edits_a_target_audited(client, coordinator):
    client.force_login(coordinator)
    target = Target.objects.get(code="M6-CT2", year=2025)
    data = {
        "description": "Đài phát thanh, truyền hình có chuyên mục bình đẳng giới",
        "value_text": "không dưới 80",
        "direction": "at_least",
        "unit_of_measure": "% đài",
        "source": "NQ 28/NQ-CP bản gốc",
        "verification": "đã kiểm chứng với bản gốc",
    }
    assert client.post(url("target_edit", target.pk), data).status_code == 302
    target.refresh_from_db()
    assert target.value == 80 and target.unit_of_measure == "% đài"
    event = Event.objects.for_object(target).first()
    assert event.actor == coordinator and event.changes["value"] == ["", "80"]
    body = client.get(url("targets")).content.decode()
    assert "không dưới 80" in body  # the line keeps its worst status while 2030 is unverified


def test_exports_download(client, reporter):
    client.force_login(reporter)
    response = client.get(url("export", "catalogue", "xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    response = client.get(url("export", "targets", "csv"))
    assert response.content.decode("utf-8-sig").startswith("code,objective,year")
    assert client.get(url("export", "users", "csv")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("coordinator", 200, 200),
        ("leader", 200, 403),
        ("admin", 200, 403),
        ("reporter", 200, 403),
        ("approver", 200, 403),
        ("outsider", 200, 403),
        ("case_worker", 403, 403),
    ],
)
def test_who_may_read_and_change(client, personas, persona, read, write):
    client.force_login(personas[persona])
    indicator = ComputedIndicator.objects.get(code="M1-CT")
    target = Target.objects.get(code="M1-CT", year=2025)
    reads = [url("targets"), url("indicators"), url("exchange"), url("export", "elements", "csv")]
    for page in reads:
        assert client.get(page).status_code == read, page
    for page in [
        url("indicator_new"),
        url("indicator_edit", indicator.pk),
        url("target_edit", target.pk),
        url("import"),
    ]:
        assert client.get(page).status_code == write, page
    if write == 403:
        data = {"description": "x", "value_text": "1"}
        response = client.post(url("target_edit", target.pk), data)
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.value_text == "60"


def test_anonymous_is_sent_to_the_login_page(client):
    for name in ["targets", "indicators", "exchange", "import"]:
        assert client.get(url(name)).status_code == 302
