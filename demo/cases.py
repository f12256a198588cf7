"""A few invented cases, a referral and two safe places, for `make run` only."""

import datetime

from django.db import transaction
from django.utils import timezone

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
    Outcome,
    Place,
    Referral,
    Relationship,
    Risk,
    SafePlaceType,
    ServiceRecord,
    ServiceType,
    Share,
    Stay,
    Survivor,
)
from orgs.models import EthnicGroup, Unit

# survivor (name, birth date, sex, age band, ethnic group), risk, incident (days ago, type,
# relationship, perpetrator sex, commune code), narrative. Every name here is invented.
DEMO_CASES = [
    (
        ("Nguyễn Thị Hồng Vân", "1991-05-14", "female", "26-40", "Kinh"),
        Risk.HIGH,
        (12, IncidentType.PHYSICAL, Relationship.SPOUSE, "male", "21025"),
        "Bị chồng đánh nhiều lần khi say rượu; lần gần nhất phải nhập viện.",
    ),
    (
        ("Đinh Thị Lài", "2009-09-02", "female", "12-17", "Hrê"),
        Risk.HIGH,
        (30, IncidentType.FORCED_MARRIAGE, Relationship.FAMILY, "male", "21025"),
        "Gia đình ép kết hôn khi chưa đủ tuổi.",
    ),
    (
        ("Trần Văn Khải", "1958-01-20", "male", "61+", "Kinh"),
        Risk.MEDIUM,
        (45, IncidentType.DENIAL, Relationship.FAMILY, "male", "21548"),
        "Con trai chiếm giữ lương hưu, không cho tiền khám bệnh.",
    ),
]


@transaction.atomic
def load_demo_cases() -> int:
    if Case.objects.exists():
        return 0
    units = {u.code: u for u in Unit.objects.filter(code__in=["SYT", "STP", "21025", "21548"])}
    owner = User.objects.get(username="syt.hotro")
    today = timezone.localdate()
    for (name, born, sex, band, ethnic), risk, incident, narrative in DEMO_CASES:
        days_ago, kind, relationship, perpetrator_sex, commune = incident
        survivor = Survivor.objects.create(
            agency=units["SYT"],
            name=name,
            birth_date=born,
            sex=sex,
            age_band=band,
            ethnic_group=EthnicGroup.objects.lookup(ethnic),
        )
        case = Case.objects.create(
            survivor=survivor,
            agency=units["SYT"],
            owner=owner,
            risk=risk,
            opened_on=today - datetime.timedelta(days=days_ago - 1),
            case_plan="Khám sức khỏe, tư vấn tâm lý, hỗ trợ pháp lý.",
        )
        Incident.objects.create(
            case=case,
            occurred_on=today - datetime.timedelta(days=days_ago),
            place_type="home",
            commune=units[commune],
            answers={kind: True},
            survivor_age_band=band,
            perpetrator_relationship=relationship,
            perpetrator_sex=perpetrator_sex,
            narrative=narrative,
        )
        for purpose in (ConsentPurpose.SERVICES, ConsentPurpose.STATISTICS):
            Consent.objects.create(
                case=case,
                purpose=purpose,
                given_by=ConsentGiver.GUARDIAN if band == "12-17" else ConsentGiver.SURVIVOR,
                method=ConsentMethod.WRITTEN,
                given_on=case.opened_on,
                recorded_by=owner,
            )
        ServiceRecord.objects.create(
            case=case,
            service_type=ServiceType.HEALTH,
            outcome=Outcome.PROVIDED,
            on=case.opened_on,
            agency=units["SYT"],
            recorded_by=owner,
        )
        FollowUp.objects.create(
            case=case,
            due_on=today + datetime.timedelta(days=3),
            purpose="Gọi điện hỏi thăm, đánh giá lại nguy cơ",
            created_by=owner,
        )
    first = Case.objects.order_by("id").first()
    assert first is not None  # the loop above just created DEMO_CASES
    consent = Consent.objects.create(
        case=first,
        purpose=ConsentPurpose.REFERRAL,
        agency=units["STP"],
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.WRITTEN,
        given_on=first.opened_on,
        recorded_by=owner,
    )
    Referral.objects.create(
        case=first,
        service_type=ServiceType.LEGAL,
        from_agency=units["SYT"],
        to_agency=units["STP"],
        shares=[Share.PROFILE, Share.INCIDENTS],
        consent=consent,
        referred_by=owner,
        due_on=today + datetime.timedelta(days=2),
    )
    shelter = Place.objects.create(
        name="Nhà tạm lánh phường Cẩm Thành",
        kind=SafePlaceType.SHELTER,
        commune=units["21025"],
        host=units["21025"],
        capacity=3,
        contact_name="Chị Lê Thị Xuân",
        contact_phone="0905 000 000",
        location="(địa chỉ mẫu) Tổ dân phố 4, phường Cẩm Thành",
    )
    shelter.staff.add(User.objects.get(username="camthanh.nhatamlanh"))
    Place.objects.create(
        name="Địa chỉ tin cậy đặc khu Lý Sơn",
        kind=SafePlaceType.TRUSTED_ADDRESS,
        commune=units["21548"],
        host=units["21548"],
        capacity=2,
        location="(địa chỉ mẫu) thôn Đông, đặc khu Lý Sơn",
    )
    Stay.objects.create(place=shelter, case=first, reason="Tránh bị tái bạo lực", recorded_by=owner)
    return len(DEMO_CASES)
