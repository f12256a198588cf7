"""What waits for each GBV persona on their home page (cases.selectors.due_work): the case seen
from every side (cases/tests/conftest.py), by case code only, nothing without approved access."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import GbvGrant
from cases import selectors
from cases.models import Case, CaseStatus, FollowUp, Referral, ReferralStatus

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def work(user):
    return selectors.due_work(user, timezone.localdate())


def test_the_owner_follows_up_and_waits_for_the_referral(gbv):
    owner, case = gbv["people"]["owner"], gbv["case"]
    later = FollowUp.objects.create(
        case=case, due_on=timezone.localdate() + 30 * DAY, purpose="Sau", created_by=owner
    )
    found = work(owner)
    assert found["follow_ups"] == [gbv["follow_up"]]  # late, so listed; `later` only counted
    assert found["later_follow_ups"] == 1 and later not in found["follow_ups"]
    assert found["sent"] == [gbv["referral"]]  # the ended one is not waiting
    assert found["received"] == [] and found["closures"] == [] and found["open_cases"] == 1


def test_the_recipient_agency_sees_the_referral_not_the_case_work(gbv):
    found = work(gbv["people"]["recipient"])
    assert found["received"] == [gbv["referral"]]
    assert found["follow_ups"] == [] and found["sent"] == [] and found["open_cases"] == 0
    Referral.objects.filter(pk=gbv["referral"].pk).update(status=ReferralStatus.PROVIDED)
    assert work(gbv["people"]["recipient"])["received"] == []


def test_the_supervisor_approves_closures_asked_by_someone_else(gbv):
    owner, supervisor, case = gbv["people"]["owner"], gbv["people"]["supervisor"], gbv["case"]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSING, closure_requested_by=owner)
    found = work(supervisor)
    assert found["closures"] == [case] and found["follow_ups"] == [gbv["follow_up"]]
    assert work(owner)["closures"] == []  # a case worker approves nothing
    Case.objects.filter(pk=case.pk).update(closure_requested_by=supervisor)
    assert work(supervisor)["closures"] == []  # not their own request


def test_nothing_for_others_nor_without_approved_access(gbv):
    for persona in ("other", "coordinator", "leader", "admin"):
        found = work(gbv["people"][persona])
        assert not any(found[k] for k in ("follow_ups", "received", "sent", "closures")), persona
    owner = gbv["people"]["owner"]
    GbvGrant.objects.filter(user=owner).update(revoked_at=timezone.now())
    owner.forget_gbv_access()
    found = work(owner)
    assert found["follow_ups"] == [] and found["sent"] == [] and found["open_cases"] == 0


def test_a_closed_cases_follow_ups_wait_for_no_one(gbv):
    Case.objects.filter(pk=gbv["case"].pk).update(status=CaseStatus.CLOSED)
    assert work(gbv["people"]["owner"])["follow_ups"] == []
