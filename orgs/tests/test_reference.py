import datetime

import pytest

from audit.models import Event
from orgs.models import Succession, Unit, UnitKind
from orgs.services import load_reference_units

REFORM = datetime.date(2025, 7, 1)
pytestmark = pytest.mark.django_db


def test_96_new_units_valid_from_the_reform():
    new = Unit.objects.filter(valid_from=REFORM)
    assert new.count() == 96
    assert new.filter(kind=UnitKind.COMMUNE).count() == 86
    assert new.filter(kind=UnitKind.WARD).count() == 9
    assert new.filter(kind=UnitKind.SPECIAL_ZONE).count() == 1
    assert all(unit.parent.code == "51" for unit in new.select_related("parent"))


def test_ly_son_is_the_special_zone():
    ly_son = Unit.objects.get(code="21548")
    assert ly_son.name == "Đặc khu Lý Sơn"
    assert ly_son.kind == UnitKind.SPECIAL_ZONE
    assert ly_son.is_valid_on(REFORM) and not ly_son.is_valid_on(REFORM - datetime.timedelta(1))


def test_23_old_districts_closed_with_successors():
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT)
    assert districts.count() == 23
    assert set(districts.values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    for district in districts:
        assert district.successions.exists(), district.name
    assert districts.filter(parent__code="51").count() == 13
    assert districts.filter(parent__code="62").count() == 10
    kon_tum = Unit.objects.get(code="62")
    assert kon_tum.valid_to == datetime.date(2025, 6, 30)
    assert kon_tum.successions.get().successor.code == "51"
    # Thành phố Quảng Ngãi's communes went into Phường Cẩm Thành, among others.
    assert Succession.objects.filter(predecessor__code="522", successor__code="21025").exists()
    assert Unit.objects.local_governments().valid_on(REFORM).count() == 96
    assert Unit.objects.local_governments().valid_on(REFORM - datetime.timedelta(1)).count() == 23


def test_the_13_bodies_of_part_iv_are_agencies_under_the_province():
    agencies = Unit.objects.agencies()
    assert agencies.count() == 13
    assert {"SNV", "SYT", "CAT", "HLHPN", "BQN", "DPTTH"} <= set(
        agencies.values_list("code", flat=True)
    )
    assert agencies.get(code="SVHTTDL").name == "Sở Văn hóa, Thể thao và Du lịch"


def test_loading_twice_duplicates_nothing():
    counts = (Unit.objects.count(), Succession.objects.count(), Event.objects.count())
    report = load_reference_units()
    assert (report.created, report.updated, report.links_created) == ([], [], 0)
    assert (Unit.objects.count(), Succession.objects.count(), Event.objects.count()) == counts


def test_load_keeps_coordinator_edits_unless_refresh_is_asked():
    Unit.objects.filter(code="21025").update(name="Phường Cẩm Thành (đổi tên)")
    load_reference_units()
    assert Unit.objects.get(code="21025").name == "Phường Cẩm Thành (đổi tên)"
    report = load_reference_units(refresh=True)
    assert report.updated == ["21025"]
    assert Unit.objects.get(code="21025").name == "Phường Cẩm Thành"
    event = Event.objects.for_object(Unit.objects.get(code="21025")).first()
    assert event.changes["name"] == ["Phường Cẩm Thành (đổi tên)", "Phường Cẩm Thành"]
