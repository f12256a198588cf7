"""Search from every page (search app): Vietnamese typed without diacritics, each kind found
exactly as its list shows it, another unit's records never, GBV records never."""

import datetime
import re
import unicodedata

import pytest
from django.urls import resolve, reverse

from activities.models import Activity, Channel, Kind
from cases.tests.conftest import CONTACT, LOCATION, NAME, build_gbv
from conftest import built_once, make_personas
from core import layers
from core.roles import PLAN_READERS
from indicators.models import ComputedIndicator
from orgs.models import Unit
from plans.models import PlanItem, Task
from reports.models import Round, Submission
from search import selectors
from search.selectors import KINDS, MAX_LENGTH, SHOWN

pytestmark = pytest.mark.django_db

URL = "/search/"
COMMUNE, OTHER_COMMUNE = "21025", "21211"  # Phường Cẩm Thành, Xã Tịnh Khê


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Personas, activities of three units, a computed indicator and a GBV case, built once."""
    yield from built_once(django_db_blocker, _world)


def _world() -> dict:
    people = make_personas()
    gbv = build_gbv(
        coordinator=people["coordinator"], leader=people["leader"], admin=people["admin"]
    )
    people["case_supervisor"] = gbv["people"]["supervisor"]
    units = {code: Unit.objects.get(code=code) for code in ("SYT", COMMUNE, OTHER_COMMUNE)}

    def activity(unit, title, **extra):
        return Activity.objects.create(
            kind=Kind.COMMUNICATION,
            unit=units[unit],
            title=title,
            starts_on=datetime.date(2026, 11, 20),
            channel=Channel.DIRECT,
            created_by=people["coordinator"],
            **extra,
        )

    own = activity(COMMUNE, "Hội thi tìm hiểu pháp luật về bình đẳng giới")
    other = activity(OTHER_COMMUNE, "Hội thi tìm hiểu pháp luật về bình đẳng giới ở thôn")
    shared = activity(
        "SYT", "Tư vấn sức khỏe sinh sản vị thành niên", note="Lồng ghép hội thi kiến thức"
    )
    shared.co_organisers.add(units[COMMUNE])
    ratio = ComputedIndicator.objects.create(
        code="BDG_TL_NU_HDND",
        name="Tỷ lệ nữ đại biểu Hội đồng nhân dân",
        numerator=[{"element": "BDG_M1_CQ_LDNU", "combo": None}],
        denominator=[{"element": "BDG_M1_CQ", "combo": None}],
    )
    return {
        "people": people,
        "gbv": gbv,
        "activities": {"own": own, "other": other, "shared": shared},
        "ratio": ratio,
    }


@pytest.fixture
def people(world):
    return world["people"]


def search(client, user, text, **params):
    """The page's groups as {kind: [(record, url)]} (the response kept on the client)."""
    client.force_login(user)
    response = client.get(URL, {"q": text, **params})
    assert response.status_code == 200
    client.last = response
    return {g.kind.key: [(h.record, h.url) for h in g.hits] for g in response.context["groups"]}


def records(found, kind) -> list:
    return [record for record, _url in found.get(kind, [])]


# Vietnamese typed any way


@pytest.mark.parametrize(
    "typed",
    ["tinh khe", "TINH KHE", "Tịnh Khê", unicodedata.normalize("NFD", "Tịnh Khê"), "  tinh   khe "],
)
def test_tinh_khe_finds_tinh_khe(client, people, typed):
    found = search(client, people["coordinator"], typed)
    units = records(found, "units")
    assert units[0] == Unit.objects.get(code=OTHER_COMMUNE)  # the name itself ranks first
    assert "<mark>Tịnh Khê</mark>" in client.last.content.decode()


def test_d_and_dd_are_one_letter(client, people):
    for typed in ("duc pho", "Đức Phổ", "đuc pho", "DUC PHO"):
        units = records(search(client, people["coordinator"], typed), "units")
        assert {u.name for u in units} >= {"Phường Đức Phổ", "Thị xã Đức Phổ"}, typed
    # A closed unit (the old town) says so, after the units in force.
    assert units[-1].name == "Thị xã Đức Phổ"
    assert "hết hiệu lực 30/06/2025" in client.last.content.decode()


def test_words_are_found_where_a_word_starts(client, people):
    cam_thanh = Unit.objects.get(code=COMMUNE)
    assert cam_thanh in records(search(client, people["coordinator"], "cam tha"), "units")
    assert cam_thanh not in records(search(client, people["coordinator"], "am thanh"), "units")
    found = records(search(client, people["coordinator"], "IV.13.a"), "items")
    assert found[0].code == "IV.13.a"  # the words in a row first; IV.13.b has a word "a…" too


def test_every_word_must_be_found_in_one_field_or_another(client, people):
    """A task is its unit's share of a plan item: words may come from either."""
    tasks = records(search(client, people["coordinator"], "IV.13.a tinh khe"), "tasks")
    assert [(t.item.code, t.unit.code) for t in tasks] == [("IV.13.a", OTHER_COMMUNE)]


# A commune reporter sees its own records only


BROAD = ["tinh khe", "cam thanh", "bao cao", "binh dang gioi", "hoi thi", "ke hoach", "2025", "xa"]


def test_a_commune_reporter_never_finds_another_units_records(client, people):
    reporter = people["commune_reporter"]
    commune = Unit.objects.get(code=COMMUNE)
    seen = set()
    for typed in BROAD:
        found = search(client, reporter, typed)
        seen |= found.keys()
        assert "units" not in found  # the unit pages are not theirs (orgs:list)
        assert {t.unit_id for t in records(found, "tasks")} <= {commune.pk}
        assert {s.unit_id for s in records(found, "submissions")} <= {commune.pk}
        for activity in records(found, "activities"):
            assert activity.unit_id == commune.pk or commune in activity.co_organisers.all()
        for item in records(found, "items"):
            assert item.tasks.filter(unit=commune).exists()
        for round_ in records(found, "rounds"):
            assert round_.submissions.filter(unit=commune).exists()
    assert seen >= {"items", "tasks", "rounds", "submissions", "activities", "elements"}
    # Another commune's name finds none of its records.
    found = search(client, reporter, "tinh khe")
    assert not (found.keys() & {"tasks", "submissions", "activities"})


# One test per kind: found when entitled, not when not


def test_units(client, people):
    for persona in ("coordinator", "leader", "admin"):
        units = records(search(client, people[persona], "cam thanh"), "units")
        assert Unit.objects.get(code=COMMUNE) in units, persona
    assert "orgs:detail" not in client.last.content.decode()
    for persona in ("reporter", "approver", "commune_reporter", "outsider"):
        assert "units" not in search(client, people[persona], "cam thanh"), persona


def test_plan_items(client, people):
    syt_only = PlanItem.objects.get(plan__year=2025, code="IV.5.a")
    communes = PlanItem.objects.get(plan__year=2025, code="IV.13.a")
    typed = "mat can bang gioi tinh khi sinh"
    assert records(search(client, people["reporter"], typed), "items") == [syt_only]
    assert records(search(client, people["leader"], typed), "items") == [syt_only]
    assert "items" not in search(client, people["commune_reporter"], typed)
    assert "items" not in search(client, people["outsider"], typed)
    found = search(client, people["commune_reporter"], "can cu vao tinh hinh thuc te")
    assert found["items"] == [(communes, reverse("plans:item", args=[communes.pk]))]
    assert "<mark>Căn cứ vào tình hình thực tế</mark>" in client.last.content.decode()


def test_tasks(client, people):
    own = Task.objects.get(item__plan__year=2025, item__code="IV.13.a", unit__code=COMMUNE)
    found = search(client, people["commune_reporter"], "IV.13.a")
    assert found["tasks"] == [(own, reverse("plans:task", args=[own.pk]))]
    assert "tasks" not in search(client, people["commune_reporter"], "IV.5.a")
    assert "tasks" not in search(client, people["outsider"], "IV.13.a")
    syt = records(search(client, people["reporter"], "IV.5.a"), "tasks")
    assert [t.unit.code for t in syt] == ["SYT"]


def test_rounds(client, people):
    half_year = Round.objects.get(code="BDG-2025S1")  # agencies and old districts report
    for persona in ("coordinator", "leader", "admin", "reporter", "approver"):
        assert half_year in records(search(client, people[persona], "6 thang"), "rounds"), persona
    assert "rounds" not in search(client, people["commune_reporter"], "6 thang")
    annual = records(search(client, people["commune_reporter"], "bao cao nam"), "rounds")
    assert annual == [Round.objects.get(code="BDG-2025")]


def test_submissions(client, people):
    own = Submission.objects.get(round__code="BDG-2025", unit__code=COMMUNE)
    found = search(client, people["commune_reporter"], "bao cao nam 2025")
    assert found["submissions"] == [(own, reverse("reports:submission", args=[own.pk]))]
    found = search(client, people["coordinator"], "bao cao nam 2025 cam thanh")
    assert records(found, "submissions") == [own]
    assert "submissions" not in search(client, people["outsider"], "cam thanh")
    assert "submissions" not in search(client, people["reporter"], "bao cao nam 2025 cam thanh")


def test_activities(client, people, world):
    acts = world["activities"]
    found = records(search(client, people["commune_reporter"], "hoi thi"), "activities")
    assert set(found) == {acts["own"], acts["shared"]}  # its own, and one it co-organises
    found = records(search(client, people["coordinator"], "hoi thi"), "activities")
    assert set(found) == set(acts.values())
    assert "activities" not in search(client, people["outsider"], "hoi thi")
    # The organiser's name is searched too.
    found = records(search(client, people["leader"], "hoi thi tinh khe"), "activities")
    assert found == [acts["other"]]


def test_data_elements(client, people):
    found = search(client, people["commune_reporter"], "dia chi tin cay")
    codes = [(e.code, url) for e, url in found["elements"]]
    assert ("BDG_DV_DCTC", f"{reverse('indicators:elements')}?q=BDG_DV_DCTC") in codes
    found = search(client, people["coordinator"], "BDG_DV_DCTC_LUOT")
    (element, url), *_ = found["elements"]
    assert url == reverse("indicators:element_edit", args=[element.pk])  # the coordinator edits


def test_computed_indicators(client, people, world):
    ratio = world["ratio"]
    found = search(client, people["approver"], "ty le nu dai bieu")
    assert found["indicators"] == [(ratio, f"{reverse('indicators:indicators')}#{ratio.code}")]
    found = search(client, people["coordinator"], "hoi dong nhan dan")
    assert found["indicators"] == [(ratio, reverse("indicators:indicator_edit", args=[ratio.pk]))]


# GBV records never


def test_gbv_records_are_never_found(client, people, world):
    gbv = world["gbv"]
    typed = [
        gbv["case"].code,
        gbv["survivor"].code,
        NAME,
        LOCATION,
        CONTACT,
        gbv["place"].name,  # "Nhà tạm lánh Cẩm Thành"
        gbv["follow_up"].purpose,
    ]
    for persona in ("coordinator", "leader", "admin", "reporter", "approver", "commune_reporter"):
        for text in typed:  # what the page lists, without drawing it
            assert selectors.search(people[persona], text) == [], (persona, text)
        found = search(client, people[persona], "cam thanh")  # the shelter's commune
        hits = [(record, url) for group in found.values() for record, url in group]
        assert all(r._meta.app_label != "cases" and "/cases/" not in u for r, u in hits)
        assert gbv["place"].name not in client.last.content.decode()


def test_gbv_staff_have_no_search(client, people):
    for persona in ("case_worker", "case_supervisor"):
        client.force_login(people[persona])
        assert client.get(URL, {"q": "cam thanh"}).status_code == 403
        assert 'role="search"' not in client.get(reverse("home")).content.decode()
    client.force_login(people["reporter"])
    assert 'action="/search/"' in client.get(reverse("home")).content.decode()


def test_search_never_imports_the_gbv_module(people):
    found = [i for i in layers.imports() if i.source_app == "search" and i.target_app == "cases"]
    assert found == []
    for kind in KINDS:
        assert kind.records(people["coordinator"]).model._meta.app_label != "cases", kind.key
        # Each kind's list is for roles the search page lets in: the page is not wider.
        assert resolve(reverse(kind.gate)).func.access_rule <= PLAN_READERS, kind.key
    assert resolve(URL).func.access_rule == PLAN_READERS


# What is typed


def test_empty_short_and_long_queries_are_answered_in_vietnamese(client, people):
    user = people["commune_reporter"]
    for text in ("", "   "):
        assert search(client, user, text) == {}
        assert "Gõ không dấu cũng được" in client.last.content.decode()
    assert search(client, user, "a") == {}
    assert "Gõ ít nhất 2 chữ cái hoặc chữ số để tìm." in client.last.content.decode()
    for length in (MAX_LENGTH + 1, 5000):
        assert search(client, user, "tinh khe " * (length // 9) + "x" * (length % 9)) == {}
        body = client.last.content.decode()
        assert f"Từ khóa quá dài ({length} ký tự, tối đa {MAX_LENGTH})" in body
    assert search(client, user, "zzzz qqqq") == {}
    assert "Không tìm thấy kết quả nào cho “zzzz qqqq”." in client.last.content.decode()


def test_one_kind_paged(client, people, monkeypatch):
    coordinator = people["coordinator"]
    found = search(client, coordinator, "bao cao nam 2025")
    group = next(g for g in client.last.context["groups"] if g.kind.key == "submissions")
    # The annual reports (109 units) and the 6-month ones ("báo cáo 6 tháng đầu năm 2025", 26).
    assert (len(found["submissions"]), group.total) == (SHOWN, 135)
    assert {s.round.code for s in records(found, "submissions")} == {"BDG-2025"}  # in a row first
    assert "Xem cả 135 kết quả: báo cáo của đơn vị" in client.last.content.decode()
    assert (
        len(search(client, coordinator, "bao cao nam 2025", kind="submissions")["submissions"])
        == 50
    )
    last = search(client, coordinator, "bao cao nam 2025", kind="submissions", page=3)
    assert list(last) == ["submissions"] and len(last["submissions"]) == 35
    # Counted so far only on the page of all kinds; the kind's own page counts them all.
    monkeypatch.setattr(selectors, "COUNTED", 100)
    search(client, coordinator, "bao cao nam 2025")
    body = client.last.content.decode()
    assert re.search(r"Hơn \d+ kết quả cho “bao cao nam 2025”", body)
    assert "Xem tất cả (hơn 100 kết quả): báo cáo của đơn vị" in body
    assert (
        "Trang 1/3"
        in client.get(URL, {"q": "bao cao nam 2025", "kind": "submissions"}).content.decode()
    )
    # A kind the user may not read, or none at all, is every kind.
    assert "units" in search(client, coordinator, "cam thanh", kind="cases")
    assert "units" not in search(client, people["reporter"], "cam thanh", kind="units")
