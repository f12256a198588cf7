"""Counting into reports: activities over several units, inside and outside a round's window and
across the reform of 01/07/2025 give exactly the expected cells; the province is their sum."""

import datetime
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import counting
from activities.models import (
    Activity,
    BudgetLine,
    Campaign,
    Channel,
    CommunityModel,
    Inspection,
    Kind,
    ModelStatus,
    ModelType,
    Source,
)
from analytics.engine import aggregate
from audit.models import Action, Event
from conftest import make_user
from core.roles import Role
from orgs.models import Unit
from reports.models import DataValue, Round, Submission
from reports.services.submissions import CellInput, save_values

D = datetime.date
ANNUAL = (D(2024, 12, 15), D(2025, 12, 14))  # the BDG-2025 round's data window
HALF_YEAR = (D(2024, 12, 15), D(2025, 6, 14))  # BDG-2025S1: ends before the reform
ZERO = {
    ("BDG_M6_TT_LUOT", "MALE"): "0",
    ("BDG_M6_TT_LUOT", "FEMALE"): "0",
    ("BDG_M6_TIN_BAI", "default"): "0",
    ("BDG_HD_TT_NGUOI", "MALE"): "0",
    ("BDG_HD_TT_NGUOI", "FEMALE"): "0",
    ("BDG_HD_TH_HV", "MALE"): "0",
    ("BDG_HD_TH_HV", "FEMALE"): "0",
    ("BDG_HD_TT", "default"): "0",
    ("BDG_HD_TH", "default"): "0",
    ("BDG_HD_MH", "default"): "0",
    ("BDG_HD_KT", "default"): "0",
    ("BDG_HD_KP", "default"): "0",
    ("BDG_HD_TTHD", "default"): "false",
}


def expected(**cells) -> dict:
    """ZERO with some cells set: tt_nguoi_male=4 → ("BDG_HD_TT_NGUOI", "MALE"): "4"."""
    values = dict(ZERO)
    for key, value in cells.items():
        code, _sep, combo = key.rpartition("__")
        values["BDG_" + code.upper(), combo.upper() if combo != "default" else "default"] = value
    return values


@pytest.fixture
def world(db, reporter):
    units = Unit.objects.in_bulk(field_name="code")
    campaign = Campaign.objects.create(
        year=2025,
        name="Tháng hành động 2025",
        starts_on=D(2025, 11, 15),
        ends_on=D(2025, 12, 15),
        theme="Chủ đề",
    )

    def act(unit, kind, day, male=0, female=0, commune=None, linked=False):
        return Activity.objects.create(
            kind=kind,
            unit=units[unit],
            title=f"{kind} {day}",
            starts_on=day,
            commune=units[commune] if commune else None,
            channel=Channel.DIRECT,
            participants_male=male,
            participants_female=female,
            campaign=campaign if linked else None,
            created_by=reporter,
        )

    # Sở Y tế: an agency, valid throughout.
    act("SYT", Kind.TRAINING, D(2025, 3, 10), 5, 10)
    act("SYT", Kind.COMMUNICATION, D(2025, 5, 1), 3, 4)
    act("SYT", Kind.LAUNCH, D(2024, 12, 15), 1, 1)  # first day of the window
    act("SYT", Kind.MEDIA, D(2025, 6, 1))
    act("SYT", Kind.COMMITTEE, D(2025, 4, 1), 2, 2)  # counted in no cell
    act("SYT", Kind.TRAINING, D(2025, 12, 15), 50, 50)  # the day after the window
    act("SYT", Kind.COMMUNICATION, D(2024, 12, 14), 50, 50)  # the day before it
    # Phường Cẩm Thành, a new commune, during the Action Month.
    act("21025", Kind.ACTION_MONTH, D(2025, 11, 20), 20, 30, commune="21025", linked=True)
    # Thành phố Quảng Ngãi (522), an old district until 30/06/2025: its communes went into
    # 21025 (the smallest code), 21028, 21034, 21109, 21172 and 21211.
    act("522", Kind.COMMUNICATION, D(2025, 3, 1), 7, 8, commune="21034")  # → 21034
    act("522", Kind.TRAINING, D(2025, 4, 10), 6, 9)  # no commune → 21025
    act("522", Kind.COMMUNICATION, D(2025, 5, 5), 2, 3, commune="21548")  # not its → 21025

    kind = ModelType.objects.first()
    for unit, commune, status, established in [
        ("SYT", "21025", ModelStatus.ACTIVE, D(2024, 3, 8)),
        ("SYT", "21025", ModelStatus.PAUSED, D(2024, 3, 8)),
        ("SYT", "21025", ModelStatus.ACTIVE, D(2025, 12, 20)),  # after the window
        ("522", "21034", ModelStatus.ACTIVE, D(2023, 1, 1)),  # → 21034
    ]:
        CommunityModel.objects.create(
            name="Mô hình",
            model_type=kind,
            unit=units[unit],
            commune=units[commune],
            host="Hội Phụ nữ",
            established_on=established,
            status=status,
        )
    for visited in (D(2025, 9, 10), None, D(2025, 12, 15)):
        Inspection.objects.create(
            unit=units["SYT"], title="Kiểm tra", planned_on=D(2025, 9, 1), visited_on=visited
        )
    for unit, year, spent in [
        ("SYT", 2025, 15_000_000),
        ("SYT", 2025, 2_500_500),
        ("SYT", 2024, 99_000_000),  # another year
        ("522", 2025, 3_000_000),  # no commune → 21025
    ]:
        BudgetLine.objects.create(
            unit=units[unit],
            year=year,
            source=Source.PROVINCE,
            description="Chi",
            allocated=Decimal(spent),
            spent=Decimal(spent),
        )
    return units


ANNUAL_EXPECTED = {
    "SYT": expected(
        hd_tt__default="2",
        hd_tt_nguoi__male="4",
        hd_tt_nguoi__female="5",
        hd_th__default="1",
        hd_th_hv__male="5",
        hd_th_hv__female="10",
        m6_tin_bai__default="1",
        m6_tt_luot__male="9",
        m6_tt_luot__female="15",
        hd_mh__default="1",
        hd_kt__default="1",
        hd_kp__default="17.501",  # 17 500 500 đồng, to the thousand
    ),
    "21025": expected(
        hd_tt__default="2",
        hd_tt_nguoi__male="22",
        hd_tt_nguoi__female="33",
        hd_th__default="1",
        hd_th_hv__male="6",
        hd_th_hv__female="9",
        m6_tt_luot__male="28",
        m6_tt_luot__female="42",
        hd_kp__default="3",
        hd_tthd__default="true",
    ),
    "21034": expected(
        hd_tt__default="1",
        hd_tt_nguoi__male="7",
        hd_tt_nguoi__female="8",
        m6_tt_luot__male="7",
        m6_tt_luot__female="8",
        hd_mh__default="1",
    ),
}


def test_each_unit_gets_exactly_its_counts_for_the_annual_window(world):
    for code, values in ANNUAL_EXPECTED.items():
        assert counting.unit_values(world[code], *ANNUAL) == values, code
    assert counting.unit_values(world["522"], *ANNUAL) == ZERO  # gone by the window's end
    assert counting.unit_values(world["21028"], *ANNUAL) == ZERO


def test_before_the_reform_the_old_district_counts_its_own(world):
    assert counting.unit_values(world["522"], *HALF_YEAR) == expected(
        hd_tt__default="2",
        hd_tt_nguoi__male="9",
        hd_tt_nguoi__female="11",
        hd_th__default="1",
        hd_th_hv__male="6",
        hd_th_hv__female="9",
        m6_tt_luot__male="15",
        m6_tt_luot__female="20",
        hd_mh__default="1",
        hd_kp__default="3",
    )
    assert counting.unit_values(world["21034"], *HALF_YEAR) == ZERO


def test_the_province_is_the_sum_of_its_units(world):
    for code, window in (("BDG-2025", ANNUAL), ("BDG-2025S1", HALF_YEAR)):
        round_ = Round.objects.get(code=code)
        assert (round_.window_start, round_.window_end) == window
        units = Unit.objects.filter(submissions__round=round_)
        province = counting.province_counts(round_)
        assert +province == +sum(
            (Counter(counting.tally(*window).get(u.pk, {})) for u in units), Counter()
        )
        assert province["BDG_HD_TT", "default"] == (5 if window == ANNUAL else 4)


@pytest.fixture
def new_commune_records(world):
    """Records of Phường Cẩm Thành (formed 01/07/2025) that the forms now refuse, made directly:
    a model it says it established in 2024 and its 2025 budget."""
    CommunityModel.objects.create(
        name="Mô hình",
        model_type=ModelType.objects.first(),
        unit=world["21025"],
        commune=world["21025"],
        host="Hội Phụ nữ",
        established_on=D(2024, 5, 1),
    )
    BudgetLine.objects.create(
        unit=world["21025"],
        year=2025,
        source=Source.COMMUNE,
        description="Chi",
        allocated=Decimal(4_000_000),
        spent=Decimal(4_000_000),
    )
    return world


def test_before_the_reform_the_province_is_the_sum_of_the_reports(new_commune_records, coordinator):
    """The 6-month round ends before the commune existed: it has no report there, and what is
    counted for it is counted nowhere, so the province still equals the sum of the reports the
    analytics aggregate."""
    six_months = Round.objects.get(code="BDG-2025S1")
    assert not six_months.submissions.filter(unit=new_commune_records["21025"]).exists()
    assert counting.tally(*HALF_YEAR)[new_commune_records["21025"].pk]["BDG_HD_MH", "default"] == 1
    province = counting.province_counts(six_months)
    assert province["BDG_HD_MH", "default"] == 2  # SYT's and Thành phố Quảng Ngãi's
    assert province["BDG_HD_KP", "default"] == Decimal(20_500_500)  # no 4 000 000 of the commune
    units = {u.pk: u for u in Unit.objects.filter(submissions__round=six_months)}
    filled = []
    for submission in six_months.submissions.filter(unit__in=counting.tally(*HALF_YEAR)):
        values = counting.unit_values(units[submission.unit_id], *HALF_YEAR)
        rows = {r.data_element.code: r for r in six_months.form.rows()}
        cells = [
            CellInput(
                row=rows[code],
                option_combo=rows[code].data_element.category_combo.option_combos.get(code=combo),
                raw=value,
                expected_version=None,
                machine=True,
            )
            for (code, combo), value in values.items()
            if code in rows
        ]
        save_values(submission=submission, cells=cells, actor=coordinator)
        filled.append(submission.unit.code)
    assert sorted(filled) == ["522", "SYT"]
    numeric = [code for code in counting.ELEMENTS if code != counting.BOOLEAN]
    result = aggregate(user=coordinator, elements=numeric, rounds=["BDG-2025S1"], units=["51"])
    shown = counting.as_values(province)
    assert {row.dx: row.value for row in result.rows} == {
        code: sum(Decimal(shown[code, combo]) for combo in counting.ELEMENTS[code])
        for code in numeric
    }


def test_attribution_follows_the_successor_holding_the_commune(world):
    who = counting.Attribution(D(2025, 12, 14))
    assert who.unit_for(world["522"].pk, world["21034"].pk) == world["21034"].pk
    assert who.unit_for(world["522"].pk, None) == world["21025"].pk
    assert who.unit_for(world["522"].pk, world["21548"].pk) == world["21025"].pk
    assert who.unit_for(world["SYT"].pk, world["21034"].pk) == world["SYT"].pk
    before = counting.Attribution(D(2025, 6, 14))
    assert before.unit_for(world["522"].pk, world["21034"].pk) == world["522"].pk


class HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.inputs[attrs["name"]] = attrs["value"]


def preview_versions(client, submission) -> tuple[dict, str]:
    """The preview's hidden fields (cell versions and the digest), as the browser posts them."""
    url = reverse("reports:prefill", args=[submission.pk, "activities"])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    parser = HiddenInputs()
    parser.feed(response.content.decode())
    return parser.inputs, response.content.decode()


def fill_url(submission) -> str:
    return reverse("reports:prefill_fill", args=[submission.pk, "activities"])


def stored(submission) -> dict:
    return {
        (v.data_element.code, v.option_combo.code): v.value
        for v in DataValue.objects.filter(submission=submission).select_related(
            "data_element", "option_combo"
        )
    }


@pytest.fixture
def annual_open(db):
    today = timezone.localdate()
    Round.objects.filter(code="BDG-2025").update(
        opens_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=10),
        lock_on=today + datetime.timedelta(days=30),
    )
    return Round.objects.get(code="BDG-2025")


def test_each_unit_fills_its_counts_and_the_province_is_their_sum(
    client, world, annual_open, coordinator
):
    for code, values in ANNUAL_EXPECTED.items():
        client.force_login(make_user(f"{code}.baocao", Role.REPORTER, code))
        submission = Submission.objects.get(round=annual_open, unit__code=code)
        versions, _page = preview_versions(client, submission)
        assert len(versions) == len(ZERO) + 1  # a version a cell, and the digest
        since = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
        response = client.post(fill_url(submission), versions)
        assert response.status_code == 302
        assert stored(submission) == values, code
        events = Event.objects.filter(pk__gt=since)
        assert events.filter(action=Action.UPDATE, object_type="reports.datavalue").count() == len(
            ZERO
        )
        assert events.filter(object_type="reports.submission").count() == 1

    numeric = [code for code in counting.ELEMENTS if code != counting.BOOLEAN]
    result = aggregate(user=coordinator, elements=numeric, rounds=["BDG-2025"], units=["51"])
    province = counting.as_values(counting.province_counts(annual_open))
    assert {row.dx: row.value for row in result.rows} == {
        code: sum(Decimal(province[code, combo]) for combo in counting.ELEMENTS[code])
        for code in numeric
    }


def test_a_corrected_cell_shows_its_difference_and_nothing_is_lost(
    client, world, annual_open, reporter
):
    submission = Submission.objects.get(round=annual_open, unit__code="SYT")
    client.force_login(reporter)
    versions, _page = preview_versions(client, submission)
    client.post(fill_url(submission), versions)
    row = annual_open.form.rows().get(data_element__code="BDG_HD_TT")
    combo = row.data_element.category_combo.option_combos.get()
    save_values(
        submission=submission,
        cells=[CellInput(row=row, option_combo=combo, raw="3", expected_version=1)],
        actor=reporter,
    )
    assert stored(submission)["BDG_HD_TT", "default"] == "3"
    _versions, page = preview_versions(client, submission)
    assert "−1" in page  # computed 2, the unit's 3


def test_counts_changed_since_the_preview_are_not_written(client, world, annual_open, reporter):
    """The fill writes what the preview showed or nothing: a training recorded in between
    changes the counts, so the unit is asked to look again."""
    submission = Submission.objects.get(round=annual_open, unit__code="SYT")
    client.force_login(reporter)
    previewed, _page = preview_versions(client, submission)
    Activity.objects.create(
        kind=Kind.TRAINING,
        unit=world["SYT"],
        title="Lớp ghi thêm",
        starts_on=D(2025, 10, 1),
        channel=Channel.DIRECT,
        participants_male=1,
        participants_female=1,
        created_by=reporter,
    )
    since = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.post(fill_url(submission), previewed, follow=True)
    assert "Số liệu nguồn đã thay đổi từ khi xem trước" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()
    assert not Event.objects.filter(pk__gt=since, action=Action.UPDATE).exists()
    previewed, _page = preview_versions(client, submission)
    assert client.post(fill_url(submission), previewed).status_code == 302
    assert stored(submission)["BDG_HD_TH", "default"] == "2"


def test_a_fill_without_the_preview_changes_nothing(client, world, annual_open, reporter):
    submission = Submission.objects.get(round=annual_open, unit__code="SYT")
    client.force_login(reporter)
    response = client.post(fill_url(submission), follow=True)
    assert "Chưa xem trước số liệu sẽ điền" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()


def test_a_locked_report_gets_no_button_and_no_fill(client, world, reporter):
    submission = Submission.objects.get(round__code="BDG-2025", unit__code="SYT")
    assert submission.round.is_locked()
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Lấy số liệu từ hoạt động đã ghi nhận" not in page
    versions, preview = preview_versions(client, submission)
    assert "Báo cáo này hiện không sửa được." in preview
    response = client.post(fill_url(submission), versions, follow=True)
    assert "Đợt báo cáo đã khóa sổ" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()


def test_the_report_page_offers_the_counts(client, world, annual_open, reporter):
    submission = Submission.objects.get(round=annual_open, unit__code="SYT")
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Lấy số liệu từ hoạt động đã ghi nhận" in page
    assert reverse("reports:prefill", args=[submission.pk, "activities"]) in page
    _versions, preview = preview_versions(client, submission)
    assert "17,501" in preview  # million đồng, Vietnamese decimal comma
