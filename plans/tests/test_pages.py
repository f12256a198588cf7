import html
import re

import pytest
from django.urls import reverse

from plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(year=2025)


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_plan_page_lists_every_item_with_text_and_bodies(client, coordinator, plan):
    client.force_login(coordinator)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    body = html.unescape(page)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # as read, links as their words
    assert body.count('class="item"') == 49
    for item in plan.items.all():
        assert f'id="item-{item.code}"' in body
        # "<https://…>" in the plan's text shows as a link (core.templatetags.pages.linked)
        assert re.sub(r"<(https://[^>]+)>", r"\1", item.text) in text, item.code
    address = "https://baocao.quangngai.gov.vn"
    assert f'<a href="{address}" rel="noopener noreferrer nofollow">{address}</a>' in page
    assert "Tăng cường công tác quản lý, chỉ đạo, điều hành, phối hợp thực hiện" in body
    assert "Báo Quảng Ngãi, Đài PT-TH tỉnh" in body
    assert "Phường: 9" in body and "Huyện/thị xã/thành phố (cũ): 13" in body
    assert "Sở VHTT&DL" in body


def test_plan_filters(client, coordinator, plan):
    client.force_login(coordinator)
    url = reverse("plans:detail", args=[plan.pk])
    only_health = client.get(url, {"unit": plan.items.get(code="IV.5.a").tasks.get().unit_id})
    assert [i.code for i in only_health.context["items"]] == ["IV.5.a", "IV.5.b"]
    section = client.get(url, {"section": "II.5"}, HTTP_HX_REQUEST="true")
    assert [i.code for i in section.context["items"]] == ["II.5.a", "II.5.b"]
    assert "<html" not in section.content.decode()
    done = client.get(url, {"status": "done"})
    assert done.context["items"] == []


def test_overdue_items_are_marked(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.get(reverse("plans:detail", args=[plan.pk]), {"status": "overdue"})
    assert response.context["overall"].overdue == response.context["overall"].total > 300
    assert "quá hạn" in response.content.decode()


def test_home_per_role(client, coordinator, reporter, case_worker):
    client.force_login(coordinator)
    assert "Nhiệm vụ quá hạn" in client.get(reverse("home")).content.decode()
    client.force_login(reporter)
    body = client.get(reverse("home")).content.decode()
    assert "Nhiệm vụ kế hoạch của đơn vị" in body and "IV.5.a" in body and "IV.9.a" not in body
    client.force_login(case_worker)
    body = client.get(reverse("home")).content.decode()
    assert reverse("cases:list") in body and "Nhiệm vụ" not in body


def test_item_page_shows_history(client, coordinator, plan):
    client.force_login(coordinator)
    item = plan.items.get(code="II.1.a")
    body = client.get(reverse("plans:item", args=[item.pk])).content.decode()
    assert "Lịch sử thay đổi" in body and "Tạo mới" in body
    assert "giao theo mục IV.1.a" in body


def test_pages_send_security_headers(client, reporter):
    client.force_login(reporter)
    response = client.get(reverse("home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_section_progress_and_supporting_units_see_the_lead(client, plan, coordinator):
    from conftest import make_user
    from core.roles import Role

    women_union = make_user("hlhpn.baocao", Role.REPORTER, "HLHPN")
    client.force_login(women_union)
    response = client.get(reverse("plans:detail", args=[plan.pk]), {"section": "IV.8"})
    item = response.context["items"][0]
    # Hội LHPN supports IV.8.a: it sees who leads it, not how far the lead got.
    assert item.code == "IV.8.a" and item.responsible == ["Sở DT&TG"]
    assert item.progress.total == 0
    client.force_login(coordinator)
    outline = client.get(reverse("plans:detail", args=[plan.pk])).context["outline"]
    sections = {(p["code"], s["number"]): s["progress"] for p in outline for s in p["sections"]}
    assert sections[("II", "1")].total == 3 and sections[("IV", "13")].total == 13 + 96 * 3 + 13


def test_history_reads_in_vietnamese(client, coordinator, plan):
    from plans.models import Task
    from plans.services import record_progress

    task = Task.objects.get(item__plan=plan, item__code="IV.1.a")
    record_progress(
        task=task,
        actor=coordinator,
        status="done",
        percent=100,
        note="Xong.",
        files=[],
        expected_version=task.version,
    )
    client.force_login(coordinator)
    body = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    history = body[body.index('class="history"') :]
    assert "Trạng thái</strong>: Chưa thực hiện → Hoàn thành" in history
    assert "Ngày hoàn thành</strong>: — → " in history
    assert "not_started" not in history
