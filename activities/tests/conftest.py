"""One record of every kind, owned by Sở Y tế, seen by every persona of the access matrix."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from activities.models import (
    Activity,
    BudgetLine,
    Campaign,
    Channel,
    Commendation,
    CommunityModel,
    Inspection,
    Kind,
    ModelReview,
    ModelType,
    NomineeKind,
    Source,
)
from conftest import built_once, make_personas
from orgs.models import Unit


@pytest.fixture
def acts(db, personas, commune_reporter):
    return build_acts({**personas, "commune_reporter": commune_reporter})


@pytest.fixture(scope="module")
def acts_once(django_db_setup, django_db_blocker):
    """The same records built once for a module whose tests each leave them as they found them
    (each test's writes are rolled back: conftest.built_once)."""
    yield from built_once(django_db_blocker, lambda: build_acts(make_personas()))


def build_acts(people: dict[str, User]) -> dict:
    """The acts fixture's records, written by Sở Y tế's reporter among `people` (personas)."""
    syt, commune = Unit.objects.get(code="SYT"), Unit.objects.get(code="21025")
    author = people["reporter"]
    start, end = Campaign.default_dates(2025)
    campaign = Campaign.objects.create(
        year=2025,
        name="Tháng hành động vì bình đẳng giới năm 2025",
        starts_on=start,
        ends_on=end,
        theme="Chung tay xóa bỏ bạo lực trên cơ sở giới",
    )
    activity = Activity.objects.create(
        kind=Kind.TRAINING,
        unit=syt,
        title="Tập huấn lồng ghép giới cho cán bộ y tế",
        starts_on=datetime.date(2025, 11, 20),
        commune=commune,
        channel=Channel.DIRECT,
        participants_male=12,
        participants_female=30,
        campaign=campaign,
        cost=Decimal(15000000),
        created_by=author,
    )
    model = CommunityModel.objects.create(
        name="Địa chỉ tin cậy của Hội Phụ nữ",
        model_type=ModelType.objects.get(name__startswith="Địa chỉ tin cậy"),
        unit=syt,
        commune=commune,
        host="Hội Liên hiệp Phụ nữ phường",
        established_on=datetime.date(2024, 3, 8),
        members_male=3,
        members_female=9,
    )
    review = ModelReview.objects.create(
        model=model,
        reviewed_on=datetime.date(2025, 10, 1),
        assessment="good",
        reviewed_by=author,
    )
    inspection = Inspection.objects.create(
        unit=syt,
        title="Kiểm tra thực hiện Luật Bình đẳng giới",
        planned_on=datetime.date(2025, 9, 1),
    )
    inspection.inspected_units.add(commune)
    commendation = Commendation.objects.create(
        unit=syt,
        year=2025,
        nominee_kind=NomineeKind.PERSON,
        nominee="Bác sĩ Trần Thị Hạnh",
        achievements="Nhiều năm tư vấn cho nạn nhân bạo lực gia đình",
        form="Bằng khen của Chủ tịch UBND tỉnh",
    )
    budget = BudgetLine.objects.create(
        unit=syt,
        year=2025,
        source=Source.PROVINCE,
        description="Tập huấn lồng ghép giới",
        planned=Decimal(20000000),
        allocated=Decimal(18000000),
        spent=Decimal(15000000),
    )
    return {
        "people": people,
        "campaign": campaign,
        "activity": activity,
        "model": model,
        "review": review,
        "inspection": inspection,
        "commendation": commendation,
        "budget": budget,
    }
