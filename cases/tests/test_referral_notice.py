"""A referral is told to the receiving agency's GBV staff, and to nobody else, without a word of
the case (docs/security.md, "GBV records")."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from cases.models import Referral, ServiceProvider, ServiceType, Share
from cases.tests.conftest import ADDRESS, NAME, NARRATIVE, PHONE
from conftest import make_user
from core.models import Notification
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_the_receiving_agency_is_told_without_any_case_detail(
    client, gbv, django_capture_on_commit_callbacks
):
    stp = Unit.objects.get(code="STP")
    # The fixture case has a consent for Sở Tư pháp; the directory lists it for counselling.
    ServiceProvider.objects.get_or_create(unit=stp, service_type=ServiceType.PSYCHOSOCIAL)
    recipient = gbv["people"]["recipient"]
    recipient.email = "trogiup@stp.gov.vn"
    recipient.save()
    supervisor = make_user("stp.giamsat", Role.CASE_SUPERVISOR, "STP", email="gs@stp.gov.vn")
    # Waiting for approval: no access to the module, so not told either.
    pending = User.objects.create(
        username="stp.cho", full_name="Chờ", role=Role.CASE_WORKER, unit=stp, email="cho@stp.gov.vn"
    )
    reporter = make_user("stp.baocao", Role.REPORTER, "STP", email="baocao@stp.gov.vn")
    before = set(Notification.objects.values_list("pk", flat=True))

    client.force_login(gbv["people"]["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:referral_new", args=[gbv["case"].pk]),
            {
                "service_type": ServiceType.PSYCHOSOCIAL,
                "to_agency": stp.pk,
                "shares": [Share.PROFILE, Share.INCIDENTS, Share.PHONE, Share.ADDRESS],
                "confirm": "1",
            },
        )
    assert response.status_code == 302
    referral = Referral.objects.filter(to_agency=stp).latest("referred_at")
    assert referral.referred_by == gbv["people"]["owner"]
    told = Notification.objects.exclude(pk__in=before)
    assert set(told.values_list("user__username", flat=True)) == {
        recipient.username,
        supervisor.username,
    }
    assert not told.filter(user__in=[pending, reporter, gbv["people"]["owner"]]).exists()
    assert {n.url for n in told} == {reverse("cases:referrals")}
    assert sorted(m.to[0] for m in mail.outbox) == ["gs@stp.gov.vn", "trogiup@stp.gov.vn"]
    secrets = [
        gbv["case"].code,
        gbv["case"].survivor.code,
        NAME,
        PHONE,
        ADDRESS,
        NARRATIVE,
        str(ServiceType.PSYCHOSOCIAL.label),
        "Sở Y tế",
    ]
    for words in [n.text for n in told] + [m.subject + m.body for m in mail.outbox]:
        assert not [s for s in secrets if s.lower() in words.lower()], words
