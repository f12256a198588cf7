"""Retention: personal data of cases closed longer than GBV_RETENTION_DAYS is blanked, the counts
stay, newer and open cases are untouched, and a second run changes nothing."""

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.models import Action, Event
from cases import stats
from cases.crypto import PREFIX
from cases.management.commands.redact_closed_cases import PARTS, secret_fields
from cases.models import (
    BreakGlass,
    Case,
    CaseStatus,
    IncidentType,
    Place,
    Referral,
    SafePlaceType,
    ServiceType,
    Stay,
    Survivor,
)
from cases.tests.test_stats import DUPLICATE, END, HEALTH, START, record
from conftest import make_user
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def _close(case, days_ago):
    closed_at = timezone.now() - datetime.timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=closed_at)


def _everything(case, owner):
    """Personal data in every place a case keeps it."""
    stp = Unit.objects.get(code="STP")
    case.follow_ups.create(due_on=START, purpose="Gọi lại", note="Đã gặp ở chợ", created_by=owner)
    Referral.objects.create(
        case=case,
        service_type=ServiceType.LEGAL,
        from_agency=owner.unit,
        to_agency=stp,
        override_reason="Khẩn cấp, không kịp xin",
        response_note="Đã nhận",
        referred_by=owner,
        due_on=START,
    )
    case.services.update(note="Khám tại trạm")
    place = Place.objects.create(
        name="Nhà an toàn",
        kind=SafePlaceType.SHELTER,
        commune=Unit.objects.get(code="21025"),
        host=owner.unit,
        capacity=3,
        location="Ngõ bí mật",
    )
    Stay.objects.create(
        place=place, case=case, reason="Bị đe dọa", discharge_reason="Về nhà", recorded_by=owner
    )
    BreakGlass.objects.create(
        user=owner, case=case, reason="Cấp cứu ban đêm", expires_at=timezone.now()
    )


@pytest.fixture
def cases(db):
    syt = make_user("syt.luutru", Role.CASE_WORKER, "SYT")
    cat = make_user("cat.luutru", Role.CASE_WORKER, "CAT")
    days = settings.GBV_RETENTION_DAYS
    found = {
        "old": record(syt, name="Người đã đóng lâu", kind=IncidentType.PHYSICAL, services=[HEALTH]),
        # One person at two agencies: Sở Y tế's case is old and closed, Công an tỉnh's is open.
        "old_twin": record(syt, name=DUPLICATE, kind=IncidentType.PSYCHOLOGICAL, sex="female"),
        "open_twin": record(cat, name=DUPLICATE, kind=IncidentType.PSYCHOLOGICAL, sex="female"),
        "recent": record(syt, name="Người mới đóng", kind=IncidentType.DENIAL, services=[HEALTH]),
        "open": record(syt, name="Người đang hỗ trợ", kind=IncidentType.RAPE),
    }
    _everything(found["old"], syt)
    _everything(found["recent"], syt)
    _close(found["old"], days + 1)
    _close(found["old_twin"], days + 30)
    _close(found["recent"], 10)
    return found


def _raw(case) -> list:
    """Every encrypted column of the case, its parts and its survivor, as stored."""
    where = [(model, "id" if path == "pk" else "case_id", case.pk) for model, path in PARTS]
    where.append((Survivor, "id", case.survivor_id))
    values = []
    with connection.cursor() as cursor:
        for model, key, pk in where:
            columns = ", ".join(model._meta.get_field(n).column for n in secret_fields(model))
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} WHERE {key} = %s", [pk])
            values.extend(v for row in cursor.fetchall() for v in row)
    return values


def _counts():
    result = stats.statistics(start=START, end=END)
    tables = [(t.key, [(str(x), v) for x, v in t.rows], t.total) for t in result.tables]
    unit = Unit.objects.get(code="SYT")
    return result.total, tables, stats.report_counts(unit=unit, start=START, end=END)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("redact_closed_cases", *args, stdout=out)
    return out.getvalue()


def test_old_closed_cases_lose_their_secrets_and_keep_their_counts(cases):
    before = _counts()
    recent, opened = _raw(cases["recent"]), _raw(cases["open"])
    since = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert "Đã xóa dữ liệu cá nhân của 2 hồ sơ và 2 nạn nhân" in _run()
    for name in ("old", "old_twin"):
        assert set(_raw(cases[name])) == {""}, name
        survivor = Survivor.objects.get(pk=cases[name].survivor_id)
        assert survivor.identity_key == "" and survivor.redacted_at is not None
    assert _counts() == before
    assert _raw(cases["recent"]) == recent and _raw(cases["open"]) == opened
    assert all(v.startswith(PREFIX) for v in recent + opened if v)
    assert Survivor.objects.get(pk=cases["open_twin"].survivor_id).identity_key
    events = Event.objects.filter(pk__gt=since)
    assert sorted(e.object_id for e in events) == sorted(
        str(cases[n].pk) for n in ("old", "old_twin")
    )
    old = events.get(object_id=str(cases["old"].pk))
    assert old.action == Action.UPDATE and old.changes["safety_plan"] == ["***", ""]
    assert old.changes["vụ việc — mô tả vụ việc"] == ["***", ""]
    assert old.changes["nạn nhân — họ và tên"] == ["***", ""]
    logged = json.dumps(list(events.values("changes", "object_repr")), ensure_ascii=False)
    assert "Người đã đóng lâu" not in logged and "Ngõ bí mật" not in logged
    assert "Cấp cứu ban đêm" not in logged


def test_a_second_run_changes_nothing(cases):
    _run()
    since = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert "Đã xóa dữ liệu cá nhân của 0 hồ sơ và 0 nạn nhân" in _run()
    assert not Event.objects.filter(pk__gt=since).exists()


def test_a_dry_run_counts_and_changes_nothing(cases):
    old = _raw(cases["old"])
    assert "Sẽ xóa dữ liệu cá nhân của 2 hồ sơ và 2 nạn nhân" in _run("--dry-run")
    assert _raw(cases["old"]) == old
    assert Survivor.objects.get(pk=cases["old"].survivor_id).redacted_at is None


def test_days_overrides_the_setting(cases):
    _run("--days", "5")
    assert set(_raw(cases["recent"])) == {""}
    assert any(v.startswith(PREFIX) for v in _raw(cases["open"]))
