import datetime
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, Event
from cases.crypto import PREFIX
from cases.models import (
    BreakGlass,
    Case,
    CaseStatus,
    Consent,
    ConsentPurpose,
    Flag,
    HarmMapping,
    Incident,
    IncidentType,
    Referral,
    ReferralStatus,
    ServiceType,
    Share,
)
from cases.services.cases import NOBODY_ALERTED
from cases.tests import matrix_cases, matrix_places, matrix_referrals
from cases.tests.conftest import ADDRESS, LOCATION, NAME, NARRATIVE, PHONE
from conftest import make_user
from core.models import Notification
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db
SECRETS = [NAME, PHONE, ADDRESS, NARRATIVE, LOCATION]


def _login(client, gbv, persona):
    client.force_login(gbv["people"][persona])


def _url(name, obj):
    return reverse(f"cases:{name}", args=[obj.pk])


def _events_since(last_id):
    return list(Event.objects.filter(pk__gt=last_id).order_by("pk").values())


def _last_event_id():
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _dump(events) -> str:
    return json.dumps(events, default=str, ensure_ascii=False)


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# Registration


def _registration(**changes):
    today = timezone.localdate()
    data = {
        "name": "Hồ Thị Sương Sớm",
        "birth_date": datetime.date(today.year - 30, 1, 1).isoformat(),
        "phone": "0905 111 222",
        "address": "Thôn Nước Lăng",
        "sex": "female",
        "age_band": "26-40",
        "ethnic_group": "19",  # Hrê
        "risk": "medium",
        "safety_plan": "Kế hoạch an toàn bí mật",
        "case_plan": "",
        "opened_on": today.isoformat(),
        "purposes": ["services", "statistics"],
        "given_by": "survivor",
        "method": "verbal",
        "given_on": today.isoformat(),
    }
    return {**data, **changes}


def test_registration_stores_ciphertext_and_shows_plain_values_to_the_owner(client, gbv):
    owner = gbv["people"]["owner"]
    _login(client, gbv, "owner")
    last = _last_event_id()
    response = client.post(reverse("cases:new"), _registration())
    case = Case.objects.exclude(pk=gbv["case"].pk).get()
    assert response.status_code == 302 and response["Location"] == _url("case", case)
    assert (case.owner, case.agency, case.survivor.agency) == (owner, owner.unit, owner.unit)
    assert set(case.consents.values_list("purpose", flat=True)) == {"services", "statistics"}
    assert case.survivor.ethnic_group.name == "Hrê"  # from the official list, by its code
    for table, column, pk in [
        ("cases_survivor", "name", case.survivor_id),
        ("cases_survivor", "phone", case.survivor_id),
        ("cases_case", "safety_plan", case.pk),
    ]:
        assert _raw(table, column, pk).startswith(PREFIX)
    events = _events_since(last)
    assert [e["action"] for e in events] == ["create"] * 4  # survivor, case, two consents
    assert "Sương Sớm" not in _dump(events) and "0905" not in _dump(events)
    page = client.get(_url("case", case)).content.decode()
    assert "Kế hoạch an toàn bí mật" in page
    for personal in ("Sương Sớm", "0905 111 222", "Thôn Nước Lăng"):
        assert personal not in page  # name, phone and address only on reveal
    revealed = client.post(_url("reveal", case)).content.decode()
    assert all(v in revealed for v in ("Hồ Thị Sương Sớm", "0905 111 222", "Thôn Nước Lăng"))


def test_registration_with_bad_input_changes_nothing(client, gbv):
    _login(client, gbv, "owner")
    response = client.post(
        reverse("cases:new"), _registration(age_band="61+", given_by="", opened_on="2999-01-01")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhóm tuổi phải là" in page and "Ngày này chưa đến." in page
    assert "Hãy chọn khi có ghi nhận sự đồng ý." in page
    assert Case.objects.count() == 1


def test_supervisor_registers_a_case_for_a_worker_of_the_agency(client, gbv):
    _login(client, gbv, "supervisor")
    owner, other = gbv["people"]["owner"], gbv["people"]["other"]
    client.post(reverse("cases:new"), _registration(owner=other.pk))
    assert not Case.objects.filter(owner=other).exists()  # not of the agency: refused
    client.post(reverse("cases:new"), _registration(owner=owner.pk))
    assert Case.objects.filter(owner=owner).count() == 2


# The case page


def test_owner_sees_the_case_but_name_phone_and_address_only_on_reveal(client, gbv):
    _login(client, gbv, "owner")
    page = client.get(_url("case", gbv["case"])).content.decode()
    assert all(value in page for value in (NARRATIVE, gbv["place"].name))
    for personal in (NAME, PHONE, ADDRESS, LOCATION):  # the location is on the place's page
        assert personal not in page, personal
    assert "Xem họ tên, ngày sinh, điện thoại, địa chỉ" in page
    assert "Bạo lực thể chất" in page and str(Flag.IPV.label) in page  # harm form and flags
    revealed = client.post(_url("reveal", gbv["case"])).content.decode()
    assert all(value in revealed for value in (NAME, PHONE, ADDRESS, NARRATIVE))


def test_a_referral_sharing_the_phone_reveals_the_phone_alone(client, gbv):
    referral = gbv["referral"]
    referral.shares = [Share.PROFILE, Share.PHONE]
    referral.save()
    _login(client, gbv, "recipient")
    page = client.get(_url("case", gbv["case"])).content.decode()
    assert PHONE not in page and "Xem điện thoại" in page
    last = _last_event_id()
    revealed = client.post(_url("reveal", gbv["case"]), HTTP_HX_REQUEST="true").content.decode()
    assert PHONE in revealed and NAME not in revealed and ADDRESS not in revealed
    assert [e["action"] for e in _events_since(last)] == [Action.REVEAL]


def test_recipient_sees_only_the_shared_packet(client, gbv):
    _login(client, gbv, "recipient")
    page = client.get(_url("case", gbv["case"])).content.decode()
    assert gbv["survivor"].code in page and "Tấn công thể chất" in page
    for secret in [*SECRETS, "Kế hoạch riêng", "Nhà tạm lánh Cẩm Thành", "Gọi điện hỏi thăm"]:
        assert secret not in page, secret


def test_viewing_a_case_writes_one_event_without_secrets(client, gbv):
    _login(client, gbv, "owner")
    last = _last_event_id()
    client.get(_url("case", gbv["case"]))
    (event,) = _events_since(last)
    assert event["action"] == Action.VIEW and event["object_id"] == str(gbv["case"].pk)
    assert event["object_repr"] == gbv["case"].code
    assert not any(secret in _dump(event) for secret in SECRETS)


def test_reveal_is_one_audited_event(client, gbv):
    _login(client, gbv, "owner")
    last = _last_event_id()
    fragment = client.post(_url("reveal", gbv["case"]), HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert NAME in html and "12/04/1990" in html and "<html" not in html
    assert PHONE in html and ADDRESS in html  # one reveal: name, phone and address together
    (event,) = _events_since(last)
    assert event["action"] == Action.REVEAL and gbv["case"].code in event["object_repr"]
    assert NAME not in _dump(event)


def test_survivor_edit_form_counts_as_a_reveal_and_masks_the_log(client, gbv):
    case = gbv["case"]
    _login(client, gbv, "owner")
    last = _last_event_id()
    assert NAME in client.get(_url("survivor_edit", case)).content.decode()
    assert [e["action"] for e in _events_since(last)] == [Action.REVEAL]
    data = {
        "name": "Đinh Thị Hoa",
        "birth_date": "1990-04-12",
        "phone": PHONE,
        "address": ADDRESS,
        "sex": "female",
        "age_band": "26-40",
        "ethnic_group": "01",  # Kinh
        "expected_version": case.version,
    }
    last = _last_event_id()
    assert client.post(_url("survivor_edit", case), data).status_code == 302
    (event,) = _events_since(last)
    assert event["action"] == Action.UPDATE and event["changes"] == {"name": ["***", "***"]}
    case.refresh_from_db()
    assert case.survivor.name == "Đinh Thị Hoa" and case.version == 2
    # A second writer who started from the old version is told and loses nothing.
    stale = client.post(_url("survivor_edit", case), {**data, "name": "Tên gõ dở"})
    assert stale.status_code == 200 and "Tên gõ dở" in stale.content.decode()
    assert "người khác đã lưu" in stale.content.decode()
    case.survivor.refresh_from_db()
    assert case.survivor.name == "Đinh Thị Hoa"


def test_version_conflict_on_edit_keeps_typed_text(client, gbv):
    case = gbv["case"]
    _login(client, gbv, "supervisor")
    data = {
        "risk": "medium",
        "safety_plan": "Bản của phụ trách",
        "case_plan": "",
        "expected_version": 1,
    }
    assert client.post(_url("edit", case), data).status_code == 302
    _login(client, gbv, "owner")
    typed = {**data, "risk": "low", "safety_plan": "Bản cán bộ đang gõ"}
    response = client.post(_url("edit", case), typed)
    page = response.content.decode()
    assert response.status_code == 200 and "Bản cán bộ đang gõ" in page
    assert "người khác đã lưu" in page and "Trung bình" in page
    case.refresh_from_db()
    assert (case.safety_plan, case.version) == ("Bản của phụ trách", 2)
    # The form now carries the new version: saving again wins.
    assert client.post(_url("edit", case), {**typed, "expected_version": 2}).status_code == 302
    case.refresh_from_db()
    assert case.safety_plan == "Bản cán bộ đang gõ"
    event = Event.objects.for_object(case).filter(action=Action.UPDATE).first()
    assert event.changes["safety_plan"] == ["***", "***"]


# Incidents


def _incident(gbv, **changes):
    commune = Unit.objects.filter(kind="commune").valid_on(timezone.localdate()).first()
    data = {
        "q_rape": "yes",
        "c_exchange": "no",
        "c_held": "no",
        "c_tradition": "no",
        "occurred_on": "2025-06-01",
        "place_type": "home",
        "commune": commune.pk,
        "survivor_age_band": "12-17",
        "perpetrator_relationship": "acquaintance",
        "perpetrator_sex": "male",
        "narrative": "Mô tả mới",
    }
    return {**data, **changes}


def test_classification_gives_type_and_flags(client, gbv):
    _login(client, gbv, "owner")
    response = client.post(_url("incident_new", gbv["case"]), _incident(gbv))
    assert response.status_code == 302
    incident = Incident.objects.exclude(pk=gbv["incident"].pk).get()
    assert incident.incident_type == IncidentType.RAPE and incident.flags == [Flag.CSA]
    assert incident.answers == {"rape": True, "exchange": False, "held": False, "tradition": False}


def test_first_yes_wins_and_unanswered_earlier_questions_are_refused(client, gbv):
    _login(client, gbv, "owner")
    url = _url("incident_new", gbv["case"])
    later = _incident(gbv, q_rape="no", q_sexual_assault="no", q_physical="yes", q_denial="yes")
    client.post(url, {**later, "survivor_age_band": "26-40", "perpetrator_relationship": "spouse"})
    incident = Incident.objects.exclude(pk=gbv["incident"].pk).get()
    assert incident.incident_type == IncidentType.PHYSICAL and incident.flags == [Flag.IPV]
    skipped = _incident(gbv, q_rape="", q_physical="yes")
    response = client.post(url, skipped)
    assert response.status_code == 200 and "Hãy trả lời câu hỏi này" in response.content.decode()
    assert Incident.objects.count() == 2
    none = {f"q_{t}": "no" for t in ("rape", "sexual_assault", "physical")}
    none |= {f"q_{t}": "no" for t in ("forced_marriage", "denial", "psychological")}
    client.post(url, _incident(gbv, **none))
    assert Incident.objects.filter(incident_type=IncidentType.NOT_GBV).exists()


def test_classify_fragment_asks_only_what_is_still_needed(client, gbv):
    _login(client, gbv, "owner")
    last = _last_event_id()
    response = client.post(reverse("cases:classify"), {"q_rape": "no", "q_sexual_assault": "yes"})
    html = response.content.decode()
    assert "Tấn công tình dục" in html and 'name="q_physical"' not in html
    assert _events_since(last) == []  # reads no record
    # A "no" and nothing else yet: no type, the next question is asked.
    opening = client.post(reverse("cases:classify"), {"q_rape": "no"}).content.decode()
    assert 'name="q_sexual_assault"' in opening and "Tấn công tình dục" not in opening


def test_incident_edit_checks_the_version_and_masks_the_narrative(client, gbv):
    incident = gbv["incident"]
    _login(client, gbv, "owner")
    data = _incident(gbv, q_rape="no", q_sexual_assault="no", q_physical="yes")
    data |= {"narrative": "Lời kể đã sửa", "survivor_age_band": "26-40"}
    assert (
        client.post(_url("incident_edit", incident), {**data, "expected_version": 1}).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.narrative == "Lời kể đã sửa" and incident.version == 2
    event = Event.objects.for_object(incident).get()
    assert event.changes["narrative"] == ["***", "***"] and "Lời kể" not in _dump(event.changes)
    stale = client.post(_url("incident_edit", incident), {**data, "expected_version": 1})
    assert stale.status_code == 200 and "người khác đã lưu" in stale.content.decode()


# Consents and follow-ups


def test_consent_withdraw(client, gbv):
    consent = gbv["consent"][ConsentPurpose.STATISTICS]
    _login(client, gbv, "owner")
    last = _last_event_id()
    response = client.post(_url("consent_withdraw", consent), {"note": "Nạn nhân đổi ý"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at and consent.withdrawal_note == "Nạn nhân đổi ý"
    assert not Consent.objects.filter(case=gbv["case"]).covering(ConsentPurpose.STATISTICS).exists()
    (event,) = _events_since(last)
    assert event["action"] == Action.UPDATE and "đổi ý" not in _dump(event)
    withdrawn_at = consent.withdrawn_at
    response = client.post(_url("consent_withdraw", consent), {"note": ""}, follow=True)
    assert "đã được rút lại trước đó" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at


def test_withdrawing_a_referral_consent_ends_the_referrals_relying_on_it(client, gbv):
    """The finding: the recipient kept the case after the survivor withdrew the consent."""
    consent, referral = gbv["consent"][ConsentPurpose.REFERRAL], gbv["referral"]
    people = gbv["people"]
    assert referral.consent == consent and referral.is_active
    by_override = Referral.objects.create(
        case=gbv["case"],
        service_type=ServiceType.POLICE,
        from_agency=referral.from_agency,
        to_agency=people["other"].unit,
        shares=["profile"],
        override_reason="Nạn nhân gặp nguy hiểm ngay",
        referred_by=people["supervisor"],
        due_on=timezone.localdate(),
    )
    _login(client, gbv, "recipient")
    assert client.get(_url("case", gbv["case"])).status_code == 200
    _login(client, gbv, "owner")
    last = _last_event_id()
    response = client.post(
        _url("consent_withdraw", consent), {"note": "Không muốn chuyển gửi nữa"}, follow=True
    )
    page = response.content.decode()
    assert "Đã kết thúc 1 chuyển gửi dựa trên sự đồng ý này" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED and referral.ended_at is not None
    assert referral.response_note == "Sự đồng ý đã bị rút lại"
    by_override.refresh_from_db()
    assert by_override.status == ReferralStatus.REFERRED  # no consent: it never relied on one
    events = _events_since(last)[:-1]  # the last: viewing the case page after the redirect
    assert [(e["action"], e["object_type"]) for e in events] == [
        (Action.UPDATE, "cases.consent"),
        (Action.UPDATE, "cases.referral"),
    ]
    assert events[1]["object_id"] == str(referral.pk)
    assert events[1]["changes"]["status"] == [ReferralStatus.REFERRED, ReferralStatus.CANCELLED]
    _login(client, gbv, "recipient")
    assert client.get(_url("case", gbv["case"])).status_code == 404
    assert client.get(_url("referral", referral)).status_code == 404
    _login(client, gbv, "other")
    assert client.get(_url("case", gbv["case"])).status_code == 200


def test_new_consent_for_a_named_agency(client, gbv):
    _login(client, gbv, "owner")
    hlhpn = Unit.objects.get(code="HLHPN")
    data = {"purpose": "services", "agency": hlhpn.pk, "given_by": "survivor", "method": "written"}
    data["given_on"] = timezone.localdate().isoformat()
    response = client.post(_url("consent_new", gbv["case"]), data)
    assert "Chỉ chọn cơ quan khi mục đích là chuyển gửi." in response.content.decode()
    client.post(_url("consent_new", gbv["case"]), {**data, "purpose": "referral"})
    assert gbv["case"].consents.covering(ConsentPurpose.REFERRAL, hlhpn).exists()


def test_follow_up_new_and_done(client, gbv):
    _login(client, gbv, "owner")
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    client.post(_url("followup_new", gbv["case"]), {"due_on": due, "purpose": "Thăm nhà"})
    assert gbv["case"].follow_ups.due().count() == 2
    follow_up = gbv["follow_up"]
    response = client.post(_url("followup_done", follow_up), {"note": ""}, follow=True)
    assert "Hãy ghi kết quả theo dõi." in response.content.decode()
    client.post(_url("followup_done", follow_up), {"note": "Đã gặp, an toàn"})
    follow_up.refresh_from_db()
    assert follow_up.done_at and follow_up.note == "Đã gặp, an toàn"
    assert _raw("cases_followup", "note", follow_up.pk).startswith(PREFIX)


# The case list


def test_list_shows_codes_and_the_overdue_follow_up(client, gbv):
    _login(client, gbv, "owner")
    last = _last_event_id()
    page = client.get(reverse("cases:list")).content.decode()
    assert gbv["case"].code in page and gbv["survivor"].code in page and "quá hạn theo dõi" in page
    assert NAME not in page
    (event,) = _events_since(last)
    assert event["action"] == Action.VIEW and event["object_repr"] == "danh sách hồ sơ"
    _login(client, gbv, "recipient")
    assert gbv["case"].code not in client.get(reverse("cases:list")).content.decode()


def test_search_by_code_only(client, gbv):
    _login(client, gbv, "owner")
    last = _last_event_id()
    found = client.post(reverse("cases:list"), {"q": gbv["survivor"].code.lower()})
    assert gbv["case"].code in found.content.decode()
    (event,) = _events_since(last)
    assert event["action"] == Action.SEARCH and gbv["survivor"].code in event["object_repr"]
    last = _last_event_id()
    refused = client.post(reverse("cases:list"), {"q": NAME})
    assert "không theo tên" in refused.content.decode()
    assert NAME not in _dump(_events_since(last))


# Closure


def test_closure_needs_a_second_person(client, gbv):
    case, people = gbv["case"], gbv["people"]
    _login(client, gbv, "owner")
    client.post(_url("close_request", case), {"reason": "needs_met", "note": "Đã ổn định"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSING and case.closure_requested_by == people["owner"]
    assert Notification.objects.filter(user=people["supervisor"], text__contains=case.code).exists()
    assert client.post(_url("close_approve", case)).status_code == 403  # a worker never approves
    _login(client, gbv, "supervisor")
    client.post(_url("close_approve", case))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == people["supervisor"]
    assert case.closed_at is not None
    _login(client, gbv, "owner")
    client.post(_url("reopen", case), {"reason": "Nạn nhân quay lại xin hỗ trợ"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_by is None


def test_a_supervisor_cannot_approve_their_own_request(client, gbv):
    case = gbv["case"]
    _login(client, gbv, "supervisor")
    client.post(_url("close_request", case), {"reason": "moved", "note": ""})
    assert client.post(_url("close_approve", case)).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSING
    second = make_user("syt.giamsat2", Role.CASE_SUPERVISOR, "SYT")
    client.force_login(second)
    client.post(_url("close_reject", case), {"reason": "Chưa gặp lại nạn nhân"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closure_requested_by is None
    assert case.closure_note == "Chưa gặp lại nạn nhân"


def test_a_closed_case_cannot_be_approved_again(client, gbv):
    _login(client, gbv, "supervisor")
    response = client.post(_url("close_approve", gbv["case"]), follow=True)
    assert "không ở trạng thái chờ duyệt đóng" in response.content.decode()
    assert Case.objects.get().status == CaseStatus.OPEN


# Break-glass


def test_break_glass_grants_time_limited_access_and_alerts_supervisors(client, gbv):
    case, people = gbv["case"], gbv["people"]
    _login(client, gbv, "other")
    reason = "Nạn nhân đang ở cơ quan chúng tôi, cần biết kế hoạch an toàn"
    response = client.post(reverse("cases:break_glass"), {"code": case.code, "reason": reason})
    assert response.status_code == 302 and response["Location"] == _url("case", case)
    glass = BreakGlass.objects.get(user=people["other"], case=case)
    expected = timezone.now() + datetime.timedelta(hours=4)
    assert abs((glass.expires_at - expected).total_seconds()) < 60
    assert Event.objects.for_object(glass).get().action == Action.BREAK_GLASS
    note = Notification.objects.get(user=people["supervisor"])
    assert case.code in note.text and NAME not in note.text and reason not in note.text
    page = client.get(_url("case", case)).content.decode()
    assert "truy cập khẩn cấp" in page and "Kế hoạch riêng" in page and PHONE not in page
    assert PHONE in client.post(_url("reveal", case)).content.decode()  # reading, on the record
    assert f"{timezone.localtime(glass.expires_at):%H:%M %d/%m/%Y}" in page and reason in page
    assert "chỉ được xem, không được thay đổi" in page
    for write in ("edit", "incident_new", "consent_new", "followup_new", "referral_new"):
        assert _url(write, case) not in page, write
    assert "consents/" not in page and "follow-ups/" not in page  # withdraw, done forms
    assert "<h2>Truy cập khẩn cấp</h2>" not in page  # the grants are for the supervisors
    glass.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    glass.save()
    assert client.get(_url("case", case)).status_code == 404


def _glass(gbv, holder, **changes):
    data = {
        "user": holder,
        "case": gbv["case"],
        "reason": "Nạn nhân đang ở trạm y tế, cần kế hoạch an toàn",
        "expires_at": timezone.now() + datetime.timedelta(hours=4),
    }
    return BreakGlass.objects.create(**{**data, **changes})


BREAK_GLASS_ROUTES = {
    name: route
    for module in (matrix_cases, matrix_referrals, matrix_places)
    for name, route in module.ROUTES.items()
}


def test_every_route_of_case_work_says_what_break_glass_may_do():
    missing = [name for name, route in BREAK_GLASS_ROUTES.items() if "break_glass" not in route]
    assert not missing


@pytest.mark.parametrize("name", sorted(BREAK_GLASS_ROUTES))
def test_break_glass_reads_but_never_writes(client, gbv, name):
    """The finding: break-glass gave full write access. A colleague of the owner's agency (who
    also sees the referrals it sent) holds a grant: every write answers 403 and changes nothing."""
    route = BREAK_GLASS_ROUTES[name]
    colleague = make_user("syt.dongnghiep", Role.CASE_WORKER, "SYT")
    _glass(gbv, colleague)
    client.force_login(colleague)
    url = reverse(name, kwargs=route.get("kwargs", lambda w: {})(gbv))
    last = _last_event_id()
    response = getattr(client, route.get("method", "get"))(
        url, route.get("data", lambda w: {})(gbv)
    )
    assert response.status_code == route["break_glass"], (name, response.status_code)
    written = [e for e in _events_since(last) if e["action"] in (Action.CREATE, Action.UPDATE)]
    assert not written


def test_supervisors_see_and_revoke_the_grants_of_their_cases(client, gbv):
    case, people = gbv["case"], gbv["people"]
    active = _glass(gbv, people["other"])
    past = _glass(
        gbv,
        people["place_staff"],
        reason="Lần trước: cần số điện thoại để báo công an",
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    _login(client, gbv, "owner")
    assert active.reason not in client.get(_url("case", case)).content.decode()
    _login(client, gbv, "supervisor")
    page = client.get(_url("case", case)).content.decode()
    grants = page.split("<h2>Truy cập khẩn cấp</h2>")[1]
    for grant in (active, past):
        assert str(grant.user) in grants and grant.reason in grants
        assert f"{timezone.localtime(grant.expires_at):%H:%M %d/%m/%Y}" in grants
        assert f"{timezone.localtime(grant.started_at):%H:%M %d/%m/%Y}" in grants
    assert _url("break_glass_revoke", active) in grants
    assert _url("break_glass_revoke", past) not in grants

    last = _last_event_id()
    response = client.post(_url("break_glass_revoke", active))
    assert response.status_code == 302 and response["Location"] == _url("case", case)
    active.refresh_from_db()
    assert active.expires_at <= timezone.now()
    (event,) = _events_since(last)
    assert (event["action"], event["object_id"]) == (Action.UPDATE, str(active.pk))
    assert active.reason not in _dump(event)
    note = Notification.objects.get(user=people["other"])
    assert case.code in note.text and NAME not in note.text
    client.force_login(people["other"])
    assert client.get(_url("case", case)).status_code == 404

    _login(client, gbv, "supervisor")
    again = client.post(_url("break_glass_revoke", active), follow=True)
    assert "Truy cập khẩn cấp này đã kết thúc." in again.content.decode()
    elsewhere = make_user("cat.giamsat", Role.CASE_SUPERVISOR, "CAT")
    client.force_login(elsewhere)  # the holder's own agency does not oversee the case
    assert client.post(_url("break_glass_revoke", _glass(gbv, people["other"]))).status_code == 404


def test_break_glass_with_no_supervisor_to_alert_is_recorded_and_said(client, gbv):
    case, people = gbv["case"], gbv["people"]
    people["supervisor"].is_active = False
    people["supervisor"].save()
    _login(client, gbv, "other")
    reason = "Nạn nhân đang ở cơ quan chúng tôi, cần biết kế hoạch an toàn"
    response = client.post(
        reverse("cases:break_glass"), {"code": case.code, "reason": reason}, follow=True
    )
    assert "không ai được báo về lần truy cập này" in response.content.decode()
    glass = BreakGlass.objects.get(user=people["other"])
    event = Event.objects.for_object(glass).get()
    assert (
        event.changes["alerted"]
        == [None, NOBODY_ALERTED]
        == [None, "không có người giám sát để báo"]
    )
    assert not Notification.objects.exists()


def test_break_glass_refusals(client, gbv):
    _login(client, gbv, "other")
    url = reverse("cases:break_glass")
    short = client.post(url, {"code": gbv["case"].code, "reason": "gấp"})
    assert "ít nhất 15 ký tự" in short.content.decode()
    last = _last_event_id()
    unknown = client.post(url, {"code": "HS-BCDFGH", "reason": "Cần xem hồ sơ để hỗ trợ khẩn cấp"})
    assert "Không mở được hồ sơ với mã này." in unknown.content.decode()
    assert [e["action"] for e in _events_since(last)] == [Action.DENIED]
    assert not BreakGlass.objects.exists()


# The GBVIMS → Law 13/2022 mapping


def test_harm_mapping_is_kept_by_supervisors(client, gbv):
    _login(client, gbv, "owner")
    url = reverse("cases:harm_mapping")
    current = HarmMapping.objects.as_dict()
    state = ",".join(f"{k}={v}" for k, v in sorted(current.items()))
    data = {**current, "physical": "mental", "state": state}
    assert client.post(url, data).status_code == 403
    _login(client, gbv, "supervisor")
    assert client.post(url, data).status_code == 302
    assert HarmMapping.objects.get(incident_type="physical").harm_form == "mental"
    page = client.get(_url("case", gbv["case"])).content.decode()
    assert "Bạo lực tinh thần" in page
    stale = client.post(url, {**data, "physical": "economic"})
    assert "người khác đã lưu" in stale.content.decode()
    assert HarmMapping.objects.get(incident_type="physical").harm_form == "mental"
