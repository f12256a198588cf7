"""Activities and the Action Month: recording, editing, lists, exports, series, evidence, board."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity, ActivityFile, Campaign, Channel, Kind
from audit.models import Action, Event
from conftest import make_user
from core.roles import Role
from demo.activities import load_demo_activities
from orgs.models import Unit
from plans.models import PlanItem

from .matrix_activities import png

D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def form_data(**changes) -> dict:
    data = {
        "kind": Kind.TRAINING,
        "unit": Unit.objects.get(code="SYT").pk,
        "title": "Tập huấn kỹ năng tư vấn cho cán bộ y tế",
        "starts_on": "2025-03-10",
        "ends_on": "2025-03-11",
        "commune": Unit.objects.get(code="21025").pk,
        "channel": Channel.DIRECT,
        "language": "Tiếng Việt",
        "target_group": "Cán bộ y tế cơ sở",
        "participants_male": "12",
        "participants_female": "30",
        "participants_ethnic": "",
        "participants_youth": "",
        "cost": "15.000.000",
        "note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(activity, **changes) -> dict:
    data = form_data(
        kind=activity.kind,
        unit=activity.unit_id,
        title=activity.title,
        starts_on=activity.starts_on.isoformat(),
        ends_on="",
        commune=activity.commune_id,
        channel=activity.channel,
        language=activity.language,
        target_group=activity.target_group,
        participants_male=str(activity.participants_male),
        participants_female=str(activity.participants_female),
        campaign=activity.campaign_id,
        cost=str(activity.cost),
        expected_version=str(activity.version),
    )
    data.update(changes)
    return data


def test_a_reporter_records_an_activity_of_its_own_unit(client, reporter):
    client.force_login(reporter)
    item = PlanItem.objects.for_user(reporter).first()
    cat = Unit.objects.get(code="CAT")
    response = client.post(
        reverse("activities:new"),
        form_data(unit=cat.pk, plan_items=[item.pk], co_organisers=[cat.pk]),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.unit.code == "SYT"  # the unit field is fixed for a unit's staff
    assert (activity.participants_male, activity.participants_female) == (12, 30)
    assert activity.cost == Decimal(15_000_000)  # typed the Vietnamese way
    assert list(activity.plan_items.all()) == [item]
    assert list(activity.co_organisers.all()) == [cat]
    assert activity.created_by == reporter
    event = Event.objects.for_object(activity).get()
    assert event.action == Action.CREATE and event.changes["title"][1] == activity.title
    assert event.changes["plan_items"][1] == [str(item)]


def test_the_coordinator_records_for_any_unit_valid_on_the_date(client, coordinator):
    client.force_login(coordinator)
    district = Unit.objects.get(code="522")  # until 30/06/2025
    response = client.post(reverse("activities:new"), form_data(unit=district.pk))
    assert response.status_code == 302
    assert Activity.objects.get().unit == district
    response = client.post(
        reverse("activities:new"), form_data(unit=district.pk, starts_on="2025-08-01")
    )
    assert response.status_code == 200
    assert "không có hiệu lực vào ngày 01/08/2025" in response.content.decode()
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"participants_ethnic": "43"}, "Không được lớn hơn tổng số người tham dự (42)."),
        ({"participants_youth": "50"}, "Không được lớn hơn tổng số người tham dự (42)."),
        ({"ends_on": "2025-03-01"}, "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"participants_male": "-1"}, "Không được nhập số âm."),
        ({"cost": "-5"}, "Không được nhập số âm."),
        ({"cost": "mười triệu"}, "Kinh phí ghi bằng số đồng, ví dụ 15.000.000."),
        ({"title": ""}, "Trường này là bắt buộc."),
        ({"starts_on": TOMORROW.isoformat(), "ends_on": ""}, "không được sau hôm nay."),
        (
            {"kind": Kind.ACTION_MONTH, "starts_on": "2025-03-10", "campaign": ""},
            "Chưa có Tháng hành động nào gồm ngày 10/03/2025.",
        ),
    ],
)
def test_bad_input_says_why_and_changes_nothing(client, acts, reporter, changes, message):
    client.force_login(reporter)
    activity = acts["activity"]
    before = Activity.objects.values().get(pk=activity.pk)
    response = client.post(reverse("activities:new"), form_data(**changes))
    assert response.status_code == 200 and message in response.content.decode()
    url = reverse("activities:edit", args=[activity.pk])
    response = client.post(url, edit_data(activity, **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert Activity.objects.count() == 1
    assert Activity.objects.values().get(pk=activity.pk) == before


def test_an_edit_is_audited_old_to_new(client, acts, approver):
    activity = acts["activity"]
    client.force_login(approver)
    url = reverse("activities:edit", args=[activity.pk])
    response = client.post(url, edit_data(activity, participants_female="31"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.participants_female == 31 and activity.version == 2
    event = Event.objects.for_object(activity).get(action=Action.UPDATE)
    assert event.changes == {"participants_female": [30, 31]}


def test_a_version_conflict_keeps_what_was_typed(client, acts, reporter, approver):
    activity = acts["activity"]
    stale = edit_data(activity, title="Tập huấn lồng ghép giới — đã sửa tên")
    client.force_login(approver)
    client.post(
        reverse("activities:edit", args=[activity.pk]),
        edit_data(activity, participants_male="13"),
    )
    client.force_login(reporter)
    response = client.post(reverse("activities:edit", args=[activity.pk]), stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "người khác đã lưu thay đổi" in page
    assert "Tập huấn lồng ghép giới — đã sửa tên" in page
    assert 'name="expected_version" value="2"' in page
    activity.refresh_from_db()
    assert activity.title == "Tập huấn lồng ghép giới cho cán bộ y tế"
    assert activity.participants_male == 13


def test_a_co_organiser_sees_but_does_not_change(client, acts, outsider):
    activity = acts["activity"]
    activity.co_organisers.add(outsider.unit)
    client.force_login(outsider)
    assert client.get(reverse("activities:activity", args=[activity.pk])).status_code == 200
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403


@pytest.fixture
def several(acts, reporter):
    campaign, syt = acts["campaign"], Unit.objects.get(code="SYT")
    item = PlanItem.objects.for_user(reporter).get(code="IV.5.a")
    radio = Activity.objects.create(
        kind=Kind.MEDIA,
        unit=syt,
        title="=Chuyên mục phát thanh",  # a formula in a spreadsheet, text here
        starts_on=D(2025, 4, 2),
        channel=Channel.RADIO,
        language="Hrê",
        created_by=reporter,
    )
    radio.plan_items.add(item)
    Activity.objects.create(
        kind=Kind.COMMUNICATION,
        unit=Unit.objects.get(code="CAT"),
        title="Truyền thông của Công an tỉnh",
        starts_on=D(2025, 11, 25),
        channel=Channel.DIRECT,
        participants_male=40,
        participants_female=10,
        campaign=campaign,
        cost=Decimal(1_000_000),
        created_by=reporter,
    )
    return {"radio": radio, "item": item, **acts}


def titles(response) -> set:
    return {a.title for a in response.context["page"]}


def test_list_filters(client, several, reporter, coordinator):
    client.force_login(reporter)
    url = reverse("activities:list")
    syt = {"Tập huấn lồng ghép giới cho cán bộ y tế", "=Chuyên mục phát thanh"}
    assert titles(client.get(url)) == syt  # its own unit only
    assert titles(client.get(url, {"kind": Kind.MEDIA})) == {"=Chuyên mục phát thanh"}
    assert titles(client.get(url, {"channel": Channel.DIRECT})) == {
        "Tập huấn lồng ghép giới cho cán bộ y tế"
    }
    dated = client.get(url, {"start": "2025-04-01", "end": "2025-04-30"})
    assert titles(dated) == {"=Chuyên mục phát thanh"}
    item = client.get(url, {"item": several["item"].pk})
    assert titles(item) == {"=Chuyên mục phát thanh"}
    client.force_login(coordinator)
    campaign = client.get(url, {"campaign": several["campaign"].pk})
    assert titles(campaign) == {
        "Tập huấn lồng ghép giới cho cán bộ y tế",
        "Truyền thông của Công an tỉnh",
    }
    assert campaign.context["totals"] == {
        "activities": 2,
        "male": 52,
        "female": 40,
        "cost": Decimal(16_000_000),
    }
    cat = client.get(url, {"unit": Unit.objects.get(code="CAT").pk})
    assert titles(cat) == {"Truyền thông của Công an tỉnh"}
    fragment = client.get(url, {"kind": Kind.MEDIA}, HTTP_HX_REQUEST="true")
    assert b"<h1>" not in fragment.content and b"=Chuy" in fragment.content
    bad = client.get(url, {"start": "32/13/2025"})
    assert titles(bad) == set() and "Không có ngày 32/13/2025" in bad.content.decode()


def test_export_reads_back_as_the_list_shows(client, several, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("activities:export"), {"start": "2025-04-01"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.column_dimensions["D"].width > 10
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    by_title = {row[3]: row for row in rows}
    radio = by_title["=Chuyên mục phát thanh"]
    assert sheet.cell(row=2 + rows.index(radio), column=4).data_type == "s"
    assert radio[0] == datetime.datetime(2025, 4, 2) and radio[8] == "Hrê"
    assert radio[15] == "IV.5.a"
    training = by_title["Tập huấn lồng ghép giới cho cán bộ y tế"]
    assert training[4] == "Sở Y tế" and training[6] == "Phường Cẩm Thành"
    assert training[10:13] == (12, 30, 42)
    assert training[16] == "Tháng hành động vì bình đẳng giới năm 2025"
    assert training[17] == 15_000_000


def test_repeat_makes_the_series_in_one_action(client, acts, reporter):
    activity = acts["activity"]
    activity.plan_items.add(PlanItem.objects.get(plan__year=2025, code="II.2.a"))
    client.force_login(reporter)
    url = reverse("activities:repeat", args=[activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"first_on": "2025-11-27", "every_days": "7", "times": "3"})
    assert response.status_code == 302
    copies = Activity.objects.exclude(pk=activity.pk).order_by("starts_on")
    assert [c.starts_on for c in copies] == [D(2025, 11, 27), D(2025, 12, 4), D(2025, 12, 11)]
    for copy in copies:
        assert (copy.title, copy.unit, copy.participants_female) == (
            activity.title,
            activity.unit,
            30,
        )
        assert copy.campaign == acts["campaign"] and copy.version == 1
        assert [i.code for i in copy.plan_items.all()] == ["II.2.a"]
        assert not copy.files.exists()
        assert Event.objects.for_object(copy).get().action == Action.CREATE


def test_repeat_is_all_or_nothing(client, acts, reporter):
    activity = acts["activity"]
    Activity.objects.filter(pk=activity.pk).update(kind=Kind.ACTION_MONTH)
    client.force_login(reporter)
    url = reverse("activities:repeat", args=[activity.pk])
    # The third date, 18/12/2025, is after the Action Month: an Action Month event cannot be.
    response = client.post(url, {"first_on": "2025-12-04", "every_days": "7", "times": "3"})
    assert response.status_code == 200
    assert "Ngày 18/12/2025 không thuộc Tháng hành động nào." in response.content.decode()
    assert Activity.objects.count() == 1
    response = client.post(url, {"first_on": "2025-12-04", "every_days": "0", "times": "99"})
    assert response.status_code == 200 and Activity.objects.count() == 1


def test_repeat_starts_after_the_original_and_stops_at_the_end_of_next_year(client, acts, reporter):
    activity = acts["activity"]  # 20/11/2025
    client.force_login(reporter)
    url = reverse("activities:repeat", args=[activity.pk])
    assert client.get(url).context["form"]["first_on"].value() == D(2025, 11, 27)
    for first in ("2025-11-20", "2025-11-01"):
        response = client.post(url, {"first_on": first, "every_days": "7", "times": "2"})
        assert "Bản sao đầu tiên phải sau ngày của hoạt động gốc (20/11/2025)." in (
            response.content.decode()
        )
    limit = D(timezone.localdate().year + 1, 12, 31)
    too_late = limit - datetime.timedelta(days=6)
    response = client.post(url, {"first_on": too_late, "every_days": "7", "times": "2"})
    assert f"quá ngày {limit:%d/%m/%Y}" in response.content.decode()
    assert Activity.objects.count() == 1
    response = client.post(url, {"first_on": too_late, "every_days": "6", "times": "2"})
    assert response.status_code == 302
    assert Activity.objects.latest("starts_on").starts_on == limit


def test_a_later_copy_is_edited_as_long_as_its_date_is_kept(client, acts, reporter):
    """Quick repeat may make copies after today; their other fields stay editable."""
    later = acts["activity"]
    Activity.objects.filter(pk=later.pk).update(starts_on=TOMORROW, campaign=None)
    later.refresh_from_db()
    client.force_login(reporter)
    url = reverse("activities:edit", args=[later.pk])
    data = edit_data(later, campaign="", participants_male="15")
    assert client.post(url, data).status_code == 302
    later.refresh_from_db()
    assert later.participants_male == 15
    moved = edit_data(later, campaign="", starts_on=(TOMORROW + datetime.timedelta(days=1)))
    response = client.post(url, moved)
    assert "Ngày bắt đầu không được sau hôm nay." in response.content.decode()


def test_evidence_is_judged_by_its_content(client, acts, reporter, outsider):
    activity = acts["activity"]
    client.force_login(reporter)
    url = reverse("activities:file_new", args=[activity.pk])
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(url, {"files": fake}, follow=True)
    assert "không phải PDF, Word, Excel hoặc ảnh" in response.content.decode()
    assert not ActivityFile.objects.exists()
    photo = SimpleUploadedFile("lop-tap-huan.png", png(), content_type="image/png")
    response = client.post(url, {"files": photo}, follow=True)
    said = f"Đã tải lên 1 tệp minh chứng cho hoạt động “{activity.title}”."
    assert said in response.content.decode()
    evidence = ActivityFile.objects.get()
    assert (evidence.extension, evidence.original_name) == ("png", "lop-tap-huan.png")
    download = client.get(reverse("activities:file", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == png()
    assert Event.objects.filter(action=Action.DOWNLOAD, object_id=str(evidence.pk)).exists()
    client.force_login(outsider)
    assert client.get(reverse("activities:file", args=[evidence.pk])).status_code == 404


def test_delete_is_audited(client, acts, reporter):
    activity = acts["activity"]
    client.force_login(reporter)
    response = client.post(reverse("activities:delete", args=[activity.pk]))
    assert response.status_code == 302 and not Activity.objects.exists()
    event = Event.objects.filter(object_type="activities.activity").latest("pk")
    assert event.changes["title"] == ["Tập huấn lồng ghép giới cho cán bộ y tế", None]
    assert event.actor == reporter


def test_a_commune_officer_finds_the_commune_already_chosen(client, commune_reporter):
    client.force_login(commune_reporter)
    form = client.get(reverse("activities:new")).context["form"]
    assert form["commune"].value() == commune_reporter.unit_id


def test_the_form_suggests_the_campaign_of_the_start_date(client, acts, reporter):
    client.force_login(reporter)
    url = reverse("activities:new")
    suggestion = client.get(url, {"starts_on": "2025-11-30"}, HTTP_HX_REQUEST="true")
    selected = f'<option value="{acts["campaign"].pk}" selected>'
    assert selected in suggestion.content.decode()
    outside = client.get(url, {"starts_on": "2025-10-30"}, HTTP_HX_REQUEST="true")
    assert selected not in outside.content.decode()
    response = client.post(
        url, form_data(kind=Kind.ACTION_MONTH, starts_on="2025-11-30", ends_on="")
    )
    assert response.status_code == 302
    assert Activity.objects.latest("pk").campaign == acts["campaign"]
    response = client.post(
        url,
        form_data(campaign=acts["campaign"].pk, starts_on="2025-10-30", ends_on="", title="Khác"),
    )
    assert "Ngày bắt đầu không nằm trong" in response.content.decode()


def test_only_the_start_date_goes_to_the_campaign_suggestion(client, acts, reporter):
    client.force_login(reporter)
    for url in (reverse("activities:new"), reverse("activities:edit", args=[acts["activity"].pk])):
        page = client.get(url).content.decode()
        form = page[page.index('<form method="post"') :]
        assert "hx-get" not in form[: form.index(">")]
        start = form[form.index('name="starts_on"') :]
        start = start[: start.index(">")]
        assert f'hx-get="{url}"' in start and 'hx-params="starts_on"' in start


def test_a_plan_item_shows_the_activities_that_carried_it_out(client, several, reporter):
    client.force_login(reporter)
    item = several["item"]
    page = client.get(reverse("plans:item", args=[item.pk])).content.decode()
    assert f"{reverse('activities:list')}?item={item.pk}" in page
    fragment = client.get(reverse("activities:list"), {"item": item.pk}, HTTP_HX_REQUEST="true")
    assert titles(fragment) == {"=Chuyên mục phát thanh"}


# The Action Month -----------------------------------------------------------------------------


def test_the_coordinator_sets_the_campaign(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("activities:campaign_new"))
    assert page.context["form"]["starts_on"].value().month == 11
    data = {
        "year": "2027",
        "name": "Tháng hành động năm 2027",
        "starts_on": "2027-11-15",
        "ends_on": "2027-12-15",
        "theme": "Chủ đề của Bộ",
        "messages": "Thông điệp 1\nThông điệp 2",
    }
    assert client.post(reverse("activities:campaign_new"), data).status_code == 302
    campaign = Campaign.objects.get(year=2027)
    assert Event.objects.for_object(campaign).get().action == Action.CREATE
    overlap = {**data, "year": "2028", "starts_on": "2027-12-01", "ends_on": "2028-01-01"}
    response = client.post(reverse("activities:campaign_new"), overlap)
    assert "trùng với một Tháng hành động khác" in response.content.decode()
    assert not Campaign.objects.filter(year=2028).exists()


def campaign_data(campaign, **changes) -> dict:
    data = {
        "year": str(campaign.year),
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "theme": campaign.theme,
        "messages": campaign.messages,
        "expected_version": str(campaign.version),
    }
    return {**data, **changes}


def test_new_campaign_dates_must_keep_its_activities_inside(client, several, coordinator):
    campaign = several["campaign"]  # activities on 20/11 and 25/11/2025
    client.force_login(coordinator)
    url = reverse("activities:campaign_edit", args=[campaign.pk])
    response = client.post(url, campaign_data(campaign, starts_on="2025-11-22"))
    assert "Có 1 hoạt động thuộc Tháng hành động này bắt đầu ngoài thời gian mới" in (
        response.content.decode()
    )
    response = client.post(url, campaign_data(campaign, ends_on="2025-11-21"))
    assert "Có 1 hoạt động" in response.content.decode()
    response = client.post(url, campaign_data(campaign, starts_on="2025-11-26"))
    assert "Có 2 hoạt động" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.starts_on, campaign.version) == (D(2025, 11, 15), 1)
    response = client.post(url, campaign_data(campaign, starts_on="2025-11-20"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.starts_on == D(2025, 11, 20)


def test_the_board_shows_units_communes_and_who_has_nothing(client, several, coordinator):
    client.force_login(coordinator)
    campaign = several["campaign"]
    board = client.get(reverse("activities:campaign", args=[campaign.pk])).context["board"]
    assert {r["unit"].code: (r["activities"], r["male"], r["female"]) for r in board.by_unit} == {
        "SYT": (1, 12, 30),
        "CAT": (1, 40, 10),
    }
    assert {(r["unit"].code if r["unit"] else None): r["activities"] for r in board.by_commune} == {
        "21025": 1,
        None: 1,
    }
    assert board.totals["participants"] == 92
    silent = {u.code for u in board.silent}
    assert "SYT" not in silent and "CAT" not in silent and "HLHPN" in silent
    assert "21025" in silent and "522" not in silent  # an old district is not expected in 2025
    export = client.get(reverse("activities:campaign_export", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Theo đơn vị", "Theo xã, phường", "Chưa ghi nhận"]
    by_unit = list(book["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert by_unit[-1] == ("Tổng cộng", 2, 0, 1, 1, 0, 52, 40, 92, 0, 16_000_000)
    assert {r[0] for r in by_unit[:-1]} == {"Sở Y tế", "Công an tỉnh"}
    assert book["Chưa ghi nhận"].max_row == len(silent) + 1


def test_a_unit_sees_its_own_rows_their_total_and_the_province_apart(client, several, reporter):
    client.force_login(reporter)
    campaign = several["campaign"]
    response = client.get(reverse("activities:campaign", args=[campaign.pk]))
    board = response.context["board"]
    assert board.partial and board.silent is None
    assert [r["unit"].code for r in board.by_unit] == ["SYT"]
    assert (board.totals["activities"], board.totals["participants"]) == (1, 42)  # its rows
    assert (board.province["activities"], board.province["participants"]) == (2, 92)
    page = response.content.decode()
    assert "Công an tỉnh" not in page
    assert "<th>Tổng cộng</th><th>1</th>" in page and "<th>Toàn tỉnh</th><th>2</th>" in page
    export = client.get(reverse("activities:campaign_export", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Theo đơn vị", "Theo xã, phường"]
    by_unit = list(book["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert by_unit == [
        ("Sở Y tế", 1, 0, 0, 1, 0, 12, 30, 42, 0, 15_000_000),
        ("Tổng cộng", 1, 0, 0, 1, 0, 12, 30, 42, 0, 15_000_000),
        ("Toàn tỉnh", 2, 0, 1, 1, 0, 52, 40, 92, 0, 16_000_000),
    ]


def test_the_demo_campaign_has_busy_and_silent_units(client, db, coordinator):
    for username, unit in [
        ("syt.baocao", "SYT"),
        ("hlhpn.baocao", "HLHPN"),
        ("camthanh.baocao", "21025"),
    ]:
        make_user(username, Role.REPORTER, unit)
    made = load_demo_activities()
    assert made > 5 and load_demo_activities() == 0
    campaign = Campaign.objects.get(year=2026)
    client.force_login(coordinator)
    response = client.get(reverse("activities:campaign", args=[campaign.pk]))
    board = response.context["board"]
    assert len(board.by_unit) >= 5
    assert all(r["participants"] or r["media"] or r["activities"] for r in board.by_unit)
    assert len(board.silent) > 50
    page = response.content.decode()
    assert "Đơn vị chưa ghi nhận hoạt động nào" in page and "Xã Ia Chim" in page


def test_the_dashboard_shows_the_provinces_activities(client, several, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("analytics:dashboard"), {"round": "BDG-2025"}).content.decode()
    assert "Hoạt động thực hiện kế hoạch" in page
    assert "Số tin, bài, phóng sự về bình đẳng giới đã đăng, phát" in page
    assert reverse("activities:campaign", args=[several["campaign"].pk]) in page
