import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, Event
from cases.forms.referrals import default_due
from cases.models import (
    Outcome,
    Referral,
    ReferralStatus,
    Risk,
    ServiceProvider,
    ServiceRecord,
    ServiceType,
    Share,
)
from cases.services.referrals import consent_gate, may_override
from conftest import make_user
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db

REASON = "Nạn nhân bất tỉnh, cần bảo vệ khẩn cấp ngay trong đêm"


@pytest.fixture(autouse=True)
def stp_counsels(gbv):
    """The default referral of these tests: the fixture case holds a referral consent for Sở Tư
    pháp, and already an active legal-aid referral there; the directory lists Sở Tư pháp for
    counselling too. (The directory's own rules: test_directory.py.)"""
    stp = Unit.objects.get(code="STP")
    ServiceProvider.objects.get_or_create(unit=stp, service_type=ServiceType.PSYCHOSOCIAL)


def _refer(client, w, persona, *, confirm=True, **data):
    client.force_login(w["people"][persona])
    payload = {
        "service_type": ServiceType.PSYCHOSOCIAL,
        "to_agency": Unit.objects.get(code="STP").pk,
        "shares": [Share.PROFILE, Share.INCIDENTS],
        **data,
    }
    if confirm:
        payload["confirm"] = "1"
    return client.post(reverse("cases:referral_new", args=[w["case"].pk]), payload)


def _new_referrals(w):
    return Referral.objects.exclude(pk__in=[w["referral"].pk, w["ended_referral"].pk])


def test_the_confirm_step_is_required(client, gbv):
    response = _refer(client, gbv, "owner", confirm=False, shares=["profile", "incidents", "phone"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác nhận chuyển gửi đến Sở Tư pháp" in html
    for share in (Share.PROFILE, Share.INCIDENTS, Share.PHONE):
        assert str(share.label) in html
    assert str(Share.ADDRESS.label) not in html
    assert not _new_referrals(gbv).exists()

    response = _refer(client, gbv, "owner", shares=["profile", "incidents", "phone"])
    referral = _new_referrals(gbv).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:referral", args=[referral.pk])
    assert referral.shares == ["profile", "incidents", "phone"]
    assert referral.consent == gbv["consent"]["referral"]
    assert referral.from_agency == gbv["people"]["owner"].unit
    assert referral.due_on == timezone.localdate() + datetime.timedelta(days=7)
    service = ServiceRecord.objects.get(referral=referral)
    assert (service.outcome, service.service_type) == (Outcome.REFERRED, ServiceType.PSYCHOSOCIAL)


def test_address_is_not_shared_by_default(client, gbv):
    client.force_login(gbv["people"]["owner"])
    response = client.get(reverse("cases:referral_new", args=[gbv["case"].pk]))
    html = response.content.decode()
    assert "chỉ chia sẻ địa chỉ khi thật cần thiết" in html
    assert 'value="profile" id="id_shares_0" checked' in html
    assert 'value="address" id="id_shares_4">' in html


def test_referral_without_consent_is_refused(client, gbv):
    police = Unit.objects.get(code="CAT")
    response = _refer(client, gbv, "owner", to_agency=police.pk, service_type=ServiceType.POLICE)
    assert response.status_code == 200
    assert "Chưa có sự đồng ý chuyển gửi còn hiệu lực" in response.content.decode()
    assert not _new_referrals(gbv).exists()
    assert not ServiceRecord.objects.filter(outcome=Outcome.REFERRED).exists()


@pytest.mark.parametrize("risk", [Risk.HIGH, Risk.MEDIUM])
def test_the_owner_never_overrides_consent_even_at_high_risk(client, gbv, risk):
    """The finding: the owner authorised their own override by setting the risk to high."""
    police = Unit.objects.get(code="CAT")
    gbv["case"].risk = risk
    gbv["case"].save()
    client.force_login(gbv["people"]["owner"])
    form = client.get(reverse("cases:referral_new", args=[gbv["case"].pk])).content.decode()
    assert 'name="override_reason"' not in form
    assert "hãy đề nghị người giám sát của cơ quan chuyển gửi" in form
    response = _refer(
        client,
        gbv,
        "owner",
        to_agency=police.pk,
        service_type=ServiceType.POLICE,
        override="on",
        override_reason=REASON,
    )
    assert "Chưa có sự đồng ý chuyển gửi còn hiệu lực" in response.content.decode()
    assert not _new_referrals(gbv).exists()
    with pytest.raises(ValidationError) as refused:
        consent_gate(
            case=gbv["case"], agency=police, user=gbv["people"]["owner"], override_reason=REASON
        )
    assert refused.value.code == "override_denied"
    assert "Chỉ người giám sát của cơ quan quản lý hồ sơ" in refused.value.messages[0]


def test_only_a_supervisor_of_the_case_agency_overrides(client, gbv):
    police = Unit.objects.get(code="CAT")
    elsewhere = make_user("stp.giamsat", Role.CASE_SUPERVISOR, "STP")
    assert not may_override(gbv["case"], elsewhere)
    assert may_override(gbv["case"], gbv["people"]["supervisor"])
    client.force_login(gbv["people"]["supervisor"])
    form = client.get(reverse("cases:referral_new", args=[gbv["case"].pk])).content.decode()
    assert 'name="override_reason"' in form
    assert "Chỉ người giám sát của cơ quan quản lý hồ sơ được quyết định" in form
    with pytest.raises(ValidationError):
        consent_gate(case=gbv["case"], agency=police, user=elsewhere, override_reason=REASON)


def test_override_with_a_reason_goes_through_and_is_audited_without_it(client, gbv):
    police = Unit.objects.get(code="CAT")
    short = _refer(
        client,
        gbv,
        "supervisor",
        to_agency=police.pk,
        service_type=ServiceType.POLICE,
        override="on",
        override_reason="Gấp",
    )
    assert "ít nhất 15 ký tự" in short.content.decode()
    assert not _new_referrals(gbv).exists()

    response = _refer(
        client,
        gbv,
        "supervisor",
        to_agency=police.pk,
        service_type=ServiceType.POLICE,
        override="on",
        override_reason=REASON,
    )
    assert response.status_code == 302
    referral = _new_referrals(gbv).get()
    assert referral.consent is None and referral.override_reason == REASON
    assert referral.due_on == timezone.localdate() + datetime.timedelta(days=3)
    events = Event.objects.for_object(referral)
    assert set(events.values_list("action", flat=True)) == {Action.CREATE, Action.OVERRIDE}
    for event in Event.objects.all():
        assert "bất tỉnh" not in json.dumps(event.changes, ensure_ascii=False)
        assert "bất tỉnh" not in event.object_repr


def test_recipient_accepts_then_provides_and_loses_the_case(client, gbv):
    referral, recipient = gbv["referral"], gbv["people"]["recipient"]
    client.force_login(recipient)
    response = client.post(
        reverse("cases:referral_accept", args=[referral.pk]), {"expected_version": 1}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.responded_by) == (ReferralStatus.ACCEPTED, recipient)

    today = timezone.localdate()
    response = client.post(
        reverse("cases:referral_provide", args=[referral.pk]),
        {"expected_version": referral.version, "on": today.isoformat(), "note": "Đã tư vấn"},
    )
    assert response["Location"] == reverse("cases:referrals")  # its page is no longer theirs
    assert "Đã cung cấp dịch vụ" in client.get(response["Location"]).content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROVIDED and referral.ended_at is not None
    service = ServiceRecord.objects.get(referral=referral, outcome=Outcome.PROVIDED)
    assert (service.agency, service.service_type, service.on) == (
        recipient.unit,
        ServiceType.LEGAL,
        today,
    )
    assert client.get(reverse("cases:case", args=[gbv["case"].pk])).status_code == 404
    assert client.get(reverse("cases:referral", args=[referral.pk])).status_code == 404


def test_a_stale_version_changes_nothing(client, gbv):
    referral = gbv["referral"]
    client.force_login(gbv["people"]["owner"])
    client.post(
        reverse("cases:referral_cancel", args=[referral.pk]),
        {"expected_version": 1, "reason": "Đã có nơi hỗ trợ khác"},
    )
    client.force_login(gbv["people"]["recipient"])
    response = client.post(
        reverse("cases:referral_decline", args=[referral.pk]),
        {"expected_version": 1, "reason": "Không đúng chức năng"},
    )
    assert response.status_code == 404  # cancelled: no longer the recipient's
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED

    other = Referral.objects.create(
        case=gbv["case"],
        service_type=ServiceType.POLICE,
        from_agency=gbv["referral"].from_agency,
        to_agency=gbv["referral"].to_agency,
        shares=["profile"],
        referred_by=gbv["people"]["owner"],
        due_on=timezone.localdate(),
        version=3,
    )
    response = client.post(
        reverse("cases:referral_decline", args=[other.pk]),
        {"expected_version": 2, "reason": "Lý do tôi vừa gõ"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "người khác đã lưu thay đổi" in html
    assert "Lý do tôi vừa gõ" in html
    other.refresh_from_db()
    assert other.status == ReferralStatus.REFERRED


def test_not_provided_records_the_outcome_chosen(client, gbv):
    referral = gbv["referral"]
    client.force_login(gbv["people"]["recipient"])
    bad = client.post(
        reverse("cases:referral_not_provided", args=[referral.pk]),
        {"expected_version": 1, "outcome": "declined"},
    )
    assert "Hãy ghi lý do." in bad.content.decode()
    client.post(
        reverse("cases:referral_not_provided", args=[referral.pk]),
        {"expected_version": 1, "outcome": "declined", "reason": "Nạn nhân không muốn"},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_PROVIDED and referral.ended_at
    assert ServiceRecord.objects.get(referral=referral).outcome == Outcome.DECLINED


def test_overdue_is_shown_to_both_sides(client, gbv):
    for persona in ("owner", "recipient"):
        client.force_login(gbv["people"][persona])
        html = client.get(reverse("cases:referrals")).content.decode()
        assert gbv["case"].code in html and "quá hạn" in html, persona
    gbv["referral"].due_on = timezone.localdate()
    gbv["referral"].save()
    html = client.get(reverse("cases:referrals")).content.decode()
    assert gbv["case"].code in html and "quá hạn" not in html


def test_ended_referrals_leave_the_recipients_list(client, gbv):
    client.force_login(gbv["people"]["ended_recipient"])
    html = client.get(reverse("cases:referrals")).content.decode()
    assert gbv["case"].code not in html


def test_viewing_a_referral_writes_one_event(client, gbv):
    client.force_login(gbv["people"]["recipient"])
    before = Event.objects.count()
    html = client.get(reverse("cases:referral", args=[gbv["referral"].pk])).content.decode()
    event = Event.objects.order_by("-pk").first()
    assert Event.objects.count() == before + 1
    assert (event.action, event.object_id) == (Action.VIEW, str(gbv["referral"].pk))
    assert "Tiếp nhận" in html and "Hủy chuyển gửi" not in html


def test_the_override_reason_is_for_the_sender_only(client, gbv):
    ended = gbv["ended_referral"]
    ended.status = ReferralStatus.REFERRED
    ended.save()
    client.force_login(gbv["people"]["owner"])
    assert "Khẩn cấp" in client.get(reverse("cases:referral", args=[ended.pk])).content.decode()
    client.force_login(gbv["people"]["ended_recipient"])
    html = client.get(reverse("cases:referral", args=[ended.pk])).content.decode()
    assert "không có sự đồng ý" in html and "Khẩn cấp" not in html


def test_recipients_without_case_roles_are_listed_after(client, gbv):
    make_user("stp.giamsat", Role.CASE_SUPERVISOR, "STP")
    client.force_login(gbv["people"]["owner"])
    html = client.get(reverse("cases:referral_new", args=[gbv["case"].pk])).content.decode()
    staffed, others = html.split("Chưa có cán bộ hỗ trợ nạn nhân trên hệ thống")
    assert "Sở Tư pháp" in staffed and "Sở Tư pháp" not in others
    assert f'value="{Unit.objects.get(code="SYT").pk}"' not in html  # the sender's own agency


def test_default_due_dates():
    today = datetime.date(2025, 3, 1)
    assert default_due(ServiceType.POLICE, today) == datetime.date(2025, 3, 4)
    assert default_due(ServiceType.LEGAL, today) == datetime.date(2025, 3, 8)


def test_service_outcome_of_own_agency(client, gbv):
    client.force_login(gbv["people"]["owner"])
    url = reverse("cases:service_new", args=[gbv["case"].pk])
    assert 'value="referred"' not in client.get(url).content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    bad = client.post(url, {"service_type": "health", "outcome": "provided", "on": tomorrow})
    assert "không được sau hôm nay" in bad.content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    client.post(url, {"service_type": "health", "outcome": "provided", "on": today})
    service = ServiceRecord.objects.get(case=gbv["case"], service_type="health")
    assert (service.outcome, service.agency.code) == (Outcome.PROVIDED, "SYT")
