import json

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, Event
from cases.models import Case, Place, Referral, SafePlaceType, ServiceType, Stay
from cases.tests.conftest import CONTACT, LOCATION, NAME
from conftest import make_user
from core.models import Notification
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def _case_of(owner, w, *, referred_for=ServiceType.SHELTER):
    """A new case of `owner`, not staying anywhere, referred to the place's staff's commune."""
    case = Case.objects.create(
        survivor=w["survivor"], agency=owner.unit, owner=owner, risk=w["case"].risk
    )
    if referred_for:
        Referral.objects.create(
            case=case,
            service_type=referred_for,
            from_agency=owner.unit,
            to_agency=w["people"]["place_staff"].unit,
            shares=["profile"],
            referred_by=owner,
            due_on=timezone.localdate(),
        )
    return case


def _second_case(w, **kwargs):
    return _case_of(w["people"]["owner"], w, **kwargs)


def _admit(client, w, case, persona="place_staff"):
    client.force_login(w["people"][persona])
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
    client.force_login(gbv["people"]["owner"])
    html = client.get(reverse("cases:places")).content.decode()
    table = html.split("<tbody")[1]  # after the flash, which names the place too
    row = table.split(place.name)[1].split("</tr>")[0]
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
    case = gbv["case"]
    Referral.objects.filter(pk=gbv["referral"].pk).update(
        to_agency=gbv["people"]["place_staff"].unit, service_type=ServiceType.SHELTER
    )
    response = _admit(client, gbv, case)
    assert "Hãy chọn một hồ sơ trong danh sách." in response.content.decode()
    assert Stay.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("persona", ["other", "owner", "supervisor"])
def test_only_the_staff_admit_so_nobody_places_a_case_to_learn_the_location(client, gbv, persona):
    """The finding: a case worker admitted a case of their own to any place, and then, as the
    owner of a case staying there, read its location."""
    user = gbv["people"][persona]
    case = _case_of(user, gbv, referred_for=None)
    place_url = reverse("cases:place", args=[gbv["place"].pk])
    client.force_login(user)
    assert "Tiếp nhận tạm lánh" not in client.get(place_url).content.decode()
    assert _admit(client, gbv, case, persona).status_code == 403
    assert not Stay.objects.filter(case=case).exists()
    assert not Notification.objects.exists()
    if persona == "other":
        assert LOCATION not in client.get(place_url).content.decode()


def test_the_staff_admit_only_cases_referred_to_them_for_shelter_or_their_own(client, gbv):
    staff = gbv["people"]["place_staff"]
    legal_aid = _second_case(gbv, referred_for=ServiceType.LEGAL)
    shelter = _second_case(gbv)
    own = _case_of(staff, gbv, referred_for=None)
    client.force_login(staff)
    form = client.get(reverse("cases:stay_new", args=[gbv["place"].pk])).content.decode()
    assert shelter.code in form and own.code in form
    assert legal_aid.code not in form and gbv["case"].code not in form
    refused = _admit(client, gbv, legal_aid)
    assert "Hãy chọn một hồ sơ trong danh sách." in refused.content.decode()
    assert not Stay.objects.filter(case=legal_aid).exists()


def test_an_admission_shows_the_owner_the_location_and_tells_the_other_staff(client, gbv):
    place, owner, staff = gbv["place"], gbv["people"]["owner"], gbv["people"]["place_staff"]
    colleague = make_user("camthanh.nhatamlanh2", Role.CASE_WORKER, "21025")
    place.staff.add(colleague)
    Stay.objects.filter(pk=gbv["stay"].pk).update(discharged_on=timezone.localdate())
    client.force_login(owner)
    place_url = reverse("cases:place", args=[place.pk])
    assert LOCATION not in client.get(place_url).content.decode()  # no case of theirs there

    case = _second_case(gbv)
    response = _admit(client, gbv, case)
    assert response.status_code == 302
    stay = Stay.objects.get(case=case, discharged_on__isnull=True)
    assert (stay.place, stay.recorded_by) == (place, staff)
    (note,) = Notification.objects.all()
    assert note.user == colleague and note.url == place_url
    assert case.code in note.text and place.name in note.text
    assert NAME not in note.text and LOCATION not in note.text
    client.force_login(owner)  # the assigned case worker
    assert LOCATION in client.get(place_url).content.decode()


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
