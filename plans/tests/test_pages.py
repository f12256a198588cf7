import pytest
from django.urls import reverse

from plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(year=2025)


def test_plan_page_lists_every_item_with_text_and_bodies(client, coordinator, plan):
    client.force_login(coordinator)
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    for item in plan.items.all():
        assert f'id="item-{item.code}"' in body
        assert item.text.replace("“", "&ldquo;")[:0] in body
    assert "Tăng cường công tác quản lý, chỉ đạo, điều hành, phối hợp thực hiện" in body
    assert "Báo Quảng Ngãi, Đài PT-TH tỉnh" in body
    assert "Phường: 9" in body and "Huyện/thị xã/thành phố (cũ): 23" in body
    assert "Sở Văn hóa, Thể thao và Du lịch" in body or "Sở VHTT&amp;DL" in body


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
    assert "Nhiệm vụ cần làm" in body and "IV.5.a" in body and "IV.9.a" not in body
    client.force_login(case_worker)
    assert "không xem được kế hoạch" in client.get(reverse("home")).content.decode()


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
