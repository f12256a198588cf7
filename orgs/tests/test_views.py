import datetime

import pytest
from django.urls import reverse

from audit.models import Event
from orgs.models import Succession, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_coordinator_adds_renames_closes_and_links_units(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("orgs:new"),
        {
            "code": "99001",
            "name": "Xã Thử Nghiệm",
            "kind": UnitKind.COMMUNE,
            "parent": Unit.objects.get(code="51").pk,
            "valid_from": "2027-01-01",
        },
    )
    unit = Unit.objects.get(code="99001")
    assert response.status_code == 302
    response = client.post(
        reverse("orgs:edit", args=[unit.pk]),
        {
            "code": "99001",
            "name": "Xã Thử Nghiệm Mới",
            "kind": UnitKind.COMMUNE,
            "parent": unit.parent_id,
            "valid_from": "2027-01-01",
            "expected_version": unit.version,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Xã Thử Nghiệm Mới"
    successor = Unit.objects.get(code="21025")
    response = client.post(
        reverse("orgs:close", args=[unit.pk]),
        {"valid_to": "2028-12-31", "successors": [successor.pk], "expected_version": unit.version},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.valid_to == datetime.date(2028, 12, 31)
    assert Succession.objects.get(predecessor=unit).effective_on == datetime.date(2029, 1, 1)
    actions = list(Event.objects.for_object(unit).values_list("action", flat=True))
    assert actions.count("update") == 2 and "create" in actions
    page = client.get(reverse("orgs:detail", args=[unit.pk]))
    assert "Phường Cẩm Thành" in page.content.decode()
    assert "Xã Thử Nghiệm Mới" in page.content.decode()


def test_stale_edit_is_refused_and_keeps_the_input(client, coordinator):
    client.force_login(coordinator)
    unit = Unit.objects.get(code="21548")
    stale = unit.version
    Unit.objects.filter(pk=unit.pk).update(version=stale + 1, name="Đặc khu Lý Sơn (sửa trước)")
    response = client.post(
        reverse("orgs:edit", args=[unit.pk]),
        {
            "code": "21548",
            "name": "Tên tôi vừa gõ",
            "kind": UnitKind.SPECIAL_ZONE,
            "parent": unit.parent_id,
            "valid_from": "2025-07-01",
            "expected_version": stale,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "người khác đã lưu thay đổi" in body
    assert "Tên tôi vừa gõ" in body and "Đặc khu Lý Sơn (sửa trước)" in body
    assert Unit.objects.get(pk=unit.pk).name == "Đặc khu Lý Sơn (sửa trước)"


def test_invalid_dates_get_a_vietnamese_message_and_change_nothing(client, coordinator):
    client.force_login(coordinator)
    unit = Unit.objects.get(code="21548")
    response = client.post(
        reverse("orgs:close", args=[unit.pk]),
        {"valid_to": "2020-01-01", "expected_version": unit.version},
    )
    assert "trước ngày đơn vị bắt đầu hiệu lực" in response.content.decode()
    assert Unit.objects.get(pk=unit.pk).valid_to is None


def test_the_list_shows_every_unit_of_the_province(client, leader):
    client.force_login(leader)
    units = client.get(reverse("orgs:list")).context["units"]
    assert len(units) == Unit.objects.count() and units[0].kind == UnitKind.PROVINCE


def test_search_ignores_accents(client, leader):
    client.force_login(leader)
    response = client.get(reverse("orgs:list"), {"q": "ly son"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Đặc khu Lý Sơn" in body and "Huyện Lý Sơn" in body and "<html" not in body


def test_leader_reads_but_cannot_edit(client, leader):
    client.force_login(leader)
    unit = Unit.objects.get(code="21548")
    assert client.get(reverse("orgs:detail", args=[unit.pk])).status_code == 200
    assert client.get(reverse("orgs:edit", args=[unit.pk])).status_code == 403


def test_coordinator_links_a_successor_once(client, coordinator):
    client.force_login(coordinator)
    old = Unit.objects.get(code="536")  # Huyện Lý Sơn
    new = Unit.objects.get(code="21025")
    url = reverse("orgs:link", args=[old.pk])
    response = client.post(url, {"successor": new.pk, "effective_on": "2025-07-01", "note": "thử"})
    assert response.status_code == 302
    link = Succession.objects.get(predecessor=old, successor=new)
    assert Event.objects.for_object(link).get().action == "create"
    again = client.post(url, {"successor": new.pk, "effective_on": "2025-07-01"})
    assert "Liên kết kế thừa này đã có." in again.content.decode()
    assert Succession.objects.filter(predecessor=old, successor=new).count() == 1
