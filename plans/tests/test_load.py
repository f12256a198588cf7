import datetime
import functools

import pytest

from audit.models import Event
from plans.models import Milestone, Plan, PlanItem, Task
from plans.services import load_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(year=2025)


def test_every_item_of_parts_ii_to_v(plan):
    codes = lambda part: list(plan.items.filter(part=part).values_list("code", flat=True))  # noqa: E731
    assert codes("II") == [
        "II.1.a",
        "II.1.b",
        "II.1.c",
        "II.2.a",
        "II.2.b",
        "II.2.c",
        "II.2.d",
        "II.3.a",
        "II.3.b",
        "II.4.a",
        "II.4.b",
        "II.5.a",
        "II.5.b",
        "II.6.a",
        "II.6.b",
    ]
    assert len(codes("IV")) == 30
    assert codes("IV")[:5] == ["IV.1.a", "IV.1.b", "IV.1.c", "IV.1.d", "IV.2"]
    assert codes("III") == ["III.1", "III.2"] and codes("V") == ["V.1", "V.2"]


def test_text_is_the_seed_with_page_breaks_joined(plan):
    item = plan.items.get(code="II.1.b")
    assert "nguy cơ xảy ra bạo lực trên cơ sở giới. Tiếp tục duy trì" in item.text
    assert item.text.endswith("“Địa chỉ tin cậy, nhà tạm lánh tại cộng đồng”.")
    assert "đề xuất khen thưởng, biểu dương các cá nhân" in plan.items.get(code="IV.1.b").text
    assert plan.items.get(code="V.2").text.startswith("Các cơ quan, tổ chức (thành viên")
    assert (
        "chỉ tiêu thống kê, báo cáo theo Thông tư số 10/2019/TT-BKHĐT"
        in plan.items.get(code="V.2").text
    )
    assert "**" not in plan.items.get(code="V.1").text
    assert plan.items.get(code="IV.2").section_heading == "Văn phòng UBND tỉnh"


def _leads(plan, code):
    tasks = Task.objects.filter(item__plan=plan, item__code=code)
    return set(tasks.values_list("unit__code", flat=True))


def _supports(plan, code):
    return set(plan.items.get(code=code).supporting_units.values_list("code", flat=True))


def test_lead_and_supporting_bodies(plan):
    leads = functools.partial(_leads, plan)
    supports = functools.partial(_supports, plan)
    assert leads("IV.1.a") == {"SNV"} and supports("IV.1.a") == {"VPUBND"}
    assert leads("IV.12") == {"BQN", "DPTTH"}
    assert leads("IV.8.a") == {"SDTTG"} and supports("IV.8.a") == {"HLHPN", "SNV"}
    assert supports("IV.10.c") == {"SNV", "SDTTG"}
    assert leads("II.3.a") == {"SNV"} and plan.items.get(code="II.3.a").lead_basis == "IV.1.a"
    assert not Task.objects.filter(item__part__in=["III", "V"]).exists()


def test_local_government_tasks_follow_the_reform(plan):
    tasks = Task.objects.filter(item__plan=plan, item__code="IV.13.a").select_related(
        "unit__parent"
    )
    districts = [t for t in tasks if t.unit.kind == "district"]
    communes = [t for t in tasks if t.unit.kind != "district"]
    # The April 2025 plan addressed Quảng Ngãi's 13 districts, not Kon Tum's; all 96 communes.
    assert len(districts) == 13 and len(communes) == 96
    assert {t.unit.parent.code for t in districts} == {"51"}
    assert {t.due_on for t in districts} == {datetime.date(2025, 6, 30)}
    assert {t.due_on for t in communes} == {datetime.date(2025, 12, 31)}
    # The Action Month (15/11–15/12/2025) came after the districts were gone.
    action_month = Task.objects.filter(item__plan=plan, item__code="IV.13.b")
    assert action_month.count() == 96
    assert {(t.starts_on, t.due_on) for t in action_month} == {
        (datetime.date(2025, 11, 15), datetime.date(2025, 12, 15))
    }


def test_dates_the_seed_gives(plan):
    item = plan.items.get(code="II.5.b")
    assert (item.starts_on, item.due_on) == (
        datetime.date(2025, 11, 15),
        datetime.date(2025, 12, 15),
    )
    assert dict(Milestone.objects.filter(plan=plan).values_list("title", "due_before")) == {
        "Báo cáo 06 tháng": datetime.date(2025, 6, 5),
        "Báo cáo năm": datetime.date(2025, 12, 10),
    }


def test_loading_twice_duplicates_nothing(plan):
    counts = (
        PlanItem.objects.count(),
        Task.objects.count(),
        Milestone.objects.count(),
        Event.objects.count(),
    )
    assert load_plan().endswith("0 mục mới, 0 nhiệm vụ mới")
    assert (
        PlanItem.objects.count(),
        Task.objects.count(),
        Milestone.objects.count(),
        Event.objects.count(),
    ) == counts
