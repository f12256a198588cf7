"""One case seen from every side: the personas of the GBV module's access matrix.

The survivor (Sở Y tế's case) has consent for services, for referral to Sở Tư pháp and for
statistics; an active legal-aid referral to Sở Tư pháp; an ended referral to Hội LHPN; a stay at a
community shelter whose location is LOCATION."""

import datetime

import pytest

from accounts.models import User
from cases.models import (
    Case,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    FollowUp,
    Incident,
    IncidentType,
    Place,
    Referral,
    ReferralStatus,
    Relationship,
    Risk,
    SafePlaceType,
    ServiceType,
    Share,
    Stay,
    Survivor,
)
from conftest import built_once, make_personas, make_user
from core.roles import Role
from orgs.models import Unit

NAME = "Đinh Thị Hoa Rừng"
PHONE = "0912 345 678"
ADDRESS = "Tổ 3, thôn Gò Lăng"
NARRATIVE = "Lời kể riêng tư số bảy"
LOCATION = "Nhà bí mật số 19 đường Mây Trắng"
CONTACT = "Bà Lý Thị Kín"


@pytest.fixture
def gbv(db, coordinator, leader, admin_user):
    """The world: personas, a case, its consents, referrals, a place and a stay."""
    return build_gbv(coordinator=coordinator, leader=leader, admin=admin_user)


@pytest.fixture(scope="module")
def gbv_once(django_db_setup, django_db_blocker):
    """The same world built once for a module whose tests each leave it as they found it (each
    test's writes are rolled back: conftest.built_once)."""
    yield from built_once(
        django_db_blocker, lambda: build_gbv(**make_personas("coordinator", "leader", "admin"))
    )


def build_gbv(*, coordinator: User, leader: User, admin: User) -> dict:
    """The gbv fixture's world around the province-wide personas given."""
    people = {
        "owner": make_user("syt.hotro", Role.CASE_WORKER, "SYT"),
        "supervisor": make_user("syt.giamsat", Role.CASE_SUPERVISOR, "SYT"),
        "recipient": make_user("stp.trogiup", Role.CASE_WORKER, "STP"),
        "ended_recipient": make_user("hlhpn.hotro", Role.CASE_WORKER, "HLHPN"),
        "other": make_user("cat.hotro", Role.CASE_WORKER, "CAT"),
        "place_staff": make_user("camthanh.nhatamlanh", Role.CASE_WORKER, "21025"),
        "coordinator": coordinator,
        "leader": leader,
        "admin": admin,
    }
    syt, stp, hlhpn = (Unit.objects.get(code=c) for c in ("SYT", "STP", "HLHPN"))
    commune = Unit.objects.get(code="21025")
    owner = people["owner"]
    survivor = Survivor.objects.create(
        agency=syt,
        name=NAME,
        birth_date="1990-04-12",
        phone=PHONE,
        address=ADDRESS,
        sex="female",
        age_band="26-40",
        ethnic_group="Kinh",
    )
    case = Case.objects.create(
        survivor=survivor, agency=syt, owner=owner, risk=Risk.HIGH, safety_plan="Kế hoạch riêng"
    )
    incident = Incident.objects.create(
        case=case,
        occurred_on=datetime.date(2025, 3, 2),
        place_type="home",
        commune=commune,
        answers={IncidentType.PHYSICAL: True},
        survivor_age_band="26-40",
        perpetrator_relationship=Relationship.SPOUSE,
        perpetrator_sex="male",
        narrative=NARRATIVE,
    )
    consent = {
        purpose: Consent.objects.create(
            case=case,
            purpose=purpose,
            agency=stp if purpose == ConsentPurpose.REFERRAL else None,
            given_by=ConsentGiver.SURVIVOR,
            method=ConsentMethod.WRITTEN,
            given_on=datetime.date(2025, 3, 3),
            recorded_by=owner,
        )
        for purpose in ConsentPurpose.values
    }
    active = Referral.objects.create(
        case=case,
        service_type=ServiceType.LEGAL,
        from_agency=syt,
        to_agency=stp,
        shares=[Share.PROFILE, Share.INCIDENTS],
        consent=consent[ConsentPurpose.REFERRAL],
        referred_by=owner,
        due_on=datetime.date(2025, 3, 10),
    )
    ended = Referral.objects.create(
        case=case,
        service_type=ServiceType.PSYCHOSOCIAL,
        from_agency=syt,
        to_agency=hlhpn,
        status=ReferralStatus.PROVIDED,
        shares=[Share.PROFILE],
        override_reason="Khẩn cấp",
        referred_by=owner,
        due_on=datetime.date(2025, 3, 10),
    )
    place = Place.objects.create(
        name="Nhà tạm lánh Cẩm Thành",
        kind=SafePlaceType.SHELTER,
        commune=commune,
        host=commune,
        capacity=4,
        contact_name=CONTACT,
        contact_phone="0987 000 111",
        location=LOCATION,
    )
    place.staff.add(people["place_staff"])
    stay = Stay.objects.create(place=place, case=case, reason="An toàn", recorded_by=owner)
    follow_up = FollowUp.objects.create(
        case=case, due_on=datetime.date(2025, 4, 1), purpose="Gọi điện hỏi thăm", created_by=owner
    )
    return {
        "people": people,
        "survivor": survivor,
        "case": case,
        "incident": incident,
        "consent": consent,
        "referral": active,
        "ended_referral": ended,
        "place": place,
        "stay": stay,
        "follow_up": follow_up,
    }
