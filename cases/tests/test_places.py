import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import Action, Event
from cases.models import Case, Place, SafePlaceType, Stay
from cases.tests.conftest import CONTACT, LOCATION
from conftest import make_user
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def _second_case(w):
    """Another case of the owner, not staying anywhere."""
    first = w["case"]
    return Case.objects.create(
        survivor=first.survivor, agency=first.agency, owner=first.owner, risk=first.risk
    )


def _admit(client, w, case):
    client.force_login(w["people"]["owner"])
    today = timezone.localdate().strftime("%d/%m/%Y")
    url = reverse("cases:stay_new", args=[w["place"].pk])
    return client.post(url, {"case": case.pk, "admitted_on": today})


def test_free_places_are_capacity_minus_current_stays(client, gbv):
    place = gbv["place"]
    assert Place.objects.with_occupancy().get(pk=place.pk).occupancy == 1
    response = _admit(client, gbv, _second_case(gbv))
    assert response.status_code == 302
    Stay.objects.filter(pk=gbv["stay"].pk).update(discharged_on=timezone.localdate())
    Stay.objects.create(
        place=place,
        case=gbv["case"],
        admitted_on=timezone.localdate(),
        recorded_by=gbv["people"]["owner"],
    )
    assert Place.objects.with_occupancy().get(pk=place.pk).occupancy == 2  # discharged: gone
    html = client.get(reverse("cases:places")).content.decode()
    row = html.split(place.name)[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split("<td>")[3:]] == ["4", "2", "2"]
    html = client.get(reverse("cases:places"), {"free": "on"}).content.decode()
    assert place.name in html


def test_a_full_place_refuses_a_stay(client, gbv):
    place = gbv["place"]
    place.capacity = 1
    place.save()
    case = _second_case(gbv)
    response = _admit(client, gbv, case)
    assert response.status_code == 200
    assert "đã hết chỗ (sức chứa 1 người)" in response.content.decode()
    assert not Stay.objects.filter(case=case).exists()
    html = client.get(reverse("cases:places"), {"free": "on"}).content.decode()
    assert place.name not in html


def test_a_case_stays_in_one_place_at_a_time(client, gbv):
    response = _admit(client, gbv, gbv["case"])
    assert "Hãy chọn một hồ sơ trong danh sách." in response.content.decode()
    assert Stay.objects.filter(case=gbv["case"]).count() == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("place_staff", True),
        ("owner", True),
        ("supervisor", False),
        ("recipient", False),
        ("ended_recipient", False),
        ("other", False),
    ],
)
def test_location_only_for_staff_and_the_owner_of_a_case_staying(client, gbv, persona, sees):
    client.force_login(gbv["people"][persona])
    html = client.get(reverse("cases:place", args=[gbv["place"].pk])).content.decode()
    assert (LOCATION in html) is sees
    assert (CONTACT in html) is sees
    assert (gbv["case"].code in html) is sees  # the stays list


def test_the_owner_loses_the_location_when_the_stay_ends(client, gbv):
    client.force_login(gbv["people"]["owner"])
    url = reverse("cases:stay_discharge", args=[gbv["stay"].pk])
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert "Hãy ghi lý do rời đi." in client.post(url, {"discharged_on": today}).content.decode()
    client.post(url, {"discharged_on": today, "discharge_reason": "Về nhà người thân"})
    gbv["stay"].refresh_from_db()
    assert gbv["stay"].discharged_on == timezone.localdate()
    html = client.get(reverse("cases:place", args=[gbv["place"].pk])).content.decode()
    assert LOCATION not in html


def test_viewing_a_place_writes_one_event(client, gbv):
    client.force_login(gbv["people"]["other"])
    before = Event.objects.count()
    client.get(reverse("cases:place", args=[gbv["place"].pk]))
    event = Event.objects.order_by("-pk").first()
    assert Event.objects.count() == before + 1
    assert (event.action, event.object_id) == (Action.VIEW, str(gbv["place"].pk))


def test_a_supervisor_registers_a_place_of_their_unit(client, gbv):
    supervisor = gbv["people"]["supervisor"]
    client.force_login(supervisor)
    commune = Unit.objects.get(code="21028")
    response = client.post(
        reverse("cases:place_new"),
        {
            "name": "Địa chỉ tin cậy Nghĩa Lộ",
            "kind": SafePlaceType.TRUSTED_ADDRESS,
            "commune": commune.pk,
            "capacity": 2,
            "location": "Nhà số 7 hẻm Sương Mù",
            "contact_name": "Ông Giấu Tên",
            "staff": [gbv["people"]["owner"].pk],
            "active": "on",
        },
    )
    place = Place.objects.get(name="Địa chỉ tin cậy Nghĩa Lộ")
    assert response.status_code == 302
    assert (place.host, place.commune, place.location) == (
        supervisor.unit,
        commune,
        "Nhà số 7 hẻm Sương Mù",
    )
    assert list(place.staff.all()) == [gbv["people"]["owner"]]
    event = Event.objects.for_object(place).get()
    assert event.action == Action.CREATE
    logged = json.dumps(event.changes, ensure_ascii=False)
    assert "Sương Mù" not in logged and "Giấu Tên" not in logged
    assert event.changes["location"] == ["", "***"]


def test_a_host_supervisor_edits_without_reading_the_location(client, gbv):
    place = gbv["place"]
    client.force_login(make_user("camthanh.giamsat", Role.CASE_SUPERVISOR, "21025"))
    url = reverse("cases:place_edit", args=[place.pk])
    html = client.get(url).content.decode()
    assert LOCATION not in html and CONTACT not in html
    data = {
        "expected_version": place.version,
        "name": place.name,
        "kind": place.kind,
        "commune": place.commune_id,
        "capacity": 6,
        "location": "",
        "contact_name": "",
        "contact_phone": "",
        "staff": [gbv["people"]["place_staff"].pk],
        "active": "on",
    }
    assert client.post(url, data).status_code == 302
    place.refresh_from_db()
    assert (place.capacity, place.location, place.contact_name) == (6, LOCATION, CONTACT)

    stale = client.post(url, {**data, "capacity": 8})
    assert "người khác đã lưu thay đổi" in stale.content.decode()
    place.refresh_from_db()
    assert place.capacity == 6

    too_small = client.post(url, {**data, "expected_version": place.version, "capacity": 0})
    assert "Sức chứa phải ít nhất 1 người." in too_small.content.decode()
