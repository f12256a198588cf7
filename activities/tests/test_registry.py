"""Community models, reviews and replication, model types, inspections and commendations: create,
edit, filter, export, and the rules the forms enforce."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import (
    BudgetLine,
    Commendation,
    CommendationOutcome,
    CommunityModel,
    Inspection,
    InspectionStatus,
    ModelReview,
    ModelStatus,
    ModelType,
)
from audit.models import Action, Event
from orgs.models import Unit

TODAY = timezone.localdate()


def unit(code):
    return Unit.objects.get(code=code)


@pytest.fixture
def as_user(client, acts):
    def log_in(persona):
        client.force_login(acts["people"][persona])
        return client

    return log_in


def model_data(acts, **changes):
    model = acts["model"]
    data = {
        "name": model.name,
        "model_type": model.model_type_id,
        "unit": model.unit_id,
        "commune": model.commune_id,
        "host": model.host,
        "established_on": model.established_on.isoformat(),
        "status": model.status,
        "members_male": model.members_male,
        "members_female": model.members_female,
        "cases_supported": "",
        "expected_version": model.version,
    }
    return {**data, **changes}


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


# -- Pages open for those who may use them ---------------------------------------------------

FORM_PAGES = [
    ("activities:model_new", None),
    ("activities:model_edit", "model"),
    ("activities:model_replicate", "model"),
    ("activities:model_review_new", "model"),
    ("activities:inspection_new", None),
    ("activities:inspection_edit", "inspection"),
    ("activities:commendation_new", None),
    ("activities:commendation_edit", "commendation"),
    ("activities:budget_new", None),
    ("activities:budget_edit", "budget"),
]


@pytest.mark.parametrize(("name", "record"), FORM_PAGES)
def test_form_pages_open_for_the_unit_and_the_coordinator_only(client, acts, name, record):
    kwargs = {"pk": acts[record].pk} if record else {}
    url = reverse(name, kwargs=kwargs)
    for persona, status in [("leader", 403), ("coordinator", 200), ("reporter", 200)]:
        client.force_login(acts["people"][persona])
        response = client.get(url)
        assert response.status_code == status, persona
    if record and name != "activities:model_review_new":  # an edit carries its version
        assert 'name="expected_version"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reporter", 200), ("leader", 200), ("admin", 200), ("case_worker", 403), ("outsider", 200)],
)
def test_model_types_list_is_read_by_every_reader(client, acts, persona, status):
    client.force_login(acts["people"][persona])
    response = client.get(reverse("activities:model_types"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Địa chỉ tin cậy, nhà tạm lánh tại cộng đồng" in body
        assert 'name="delete"' not in body


# -- Models -----------------------------------------------------------------------------------


def test_a_unit_creates_a_model_for_itself_whatever_unit_is_posted(as_user, acts):
    client = as_user("reporter")
    data = model_data(acts, name="Địa chỉ tin cậy thứ hai", unit=unit("CAT").pk)
    data.pop("expected_version")
    response = client.post(reverse("activities:model_new"), data)
    model = CommunityModel.objects.get(name="Địa chỉ tin cậy thứ hai")
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:model", kwargs={"pk": model.pk})
    assert model.unit.code == "SYT"
    event = Event.objects.for_object(model).get()
    assert event.action == Action.CREATE
    assert event.changes["name"] == [None, "Địa chỉ tin cậy thứ hai"]


def test_the_coordinator_records_a_model_for_any_unit(as_user, acts):
    client = as_user("coordinator")
    data = model_data(
        acts, name="Mô hình của xã", unit=unit("21025").pk, established_on="2025-08-01"
    )
    data.pop("expected_version")
    assert client.post(reverse("activities:model_new"), data).status_code == 302
    assert CommunityModel.objects.get(name="Mô hình của xã").unit.code == "21025"


def test_editing_a_model_is_audited_and_shown_in_its_history(as_user, acts):
    client = as_user("approver")
    model = acts["model"]
    data = model_data(acts, status=ModelStatus.PAUSED, members_female=11)
    assert client.post(reverse("activities:model_edit", args=[model.pk]), data).status_code == 302
    model.refresh_from_db()
    assert (model.status, model.members_female, model.version) == ("paused", 11, 2)
    event = Event.objects.for_object(model).get()
    assert event.changes == {"status": ["active", "paused"], "members_female": [9, 11]}
    body = client.get(reverse("activities:model", args=[model.pk])).content.decode()
    assert "Tạm dừng" in body and "9 → 11" in body


@pytest.fixture
def more_models(acts):
    """Besides Sở Y tế's active model: a paused one of Sở Y tế in another commune, and an ended
    one of Công an tỉnh of the other type."""
    first, second = ModelType.objects.order_by("pk")[:2]
    base = {"host": "Hội Liên hiệp Phụ nữ", "established_on": datetime.date(2023, 5, 1)}
    paused = CommunityModel.objects.create(
        name="Phòng chống bạo lực giới xã An Phú",
        model_type=first,
        unit=unit("SYT"),
        commune=unit("21034"),
        status=ModelStatus.PAUSED,
        members_male=4,
        members_female=6,
        **base,
    )
    ended = CommunityModel.objects.create(
        name="Ngăn ngừa bạo lực phường Nghĩa Lộ",
        model_type=second,
        unit=unit("CAT"),
        commune=unit("21028"),
        status=ModelStatus.ENDED,
        members_male=5,
        members_female=5,
        **base,
    )
    return {"active": acts["model"], "paused": paused, "ended": ended}


def listed(client, name, params=None):
    return client.get(reverse(name), params or {})


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"active", "paused", "ended"}),
        ({"status": "paused"}, {"paused"}),
        ({"commune": "21028"}, {"ended"}),
        ({"unit": "CAT"}, {"ended"}),
        ({"unit": "SYT", "status": "active"}, {"active"}),
        ({"model_type": "second"}, {"ended"}),
    ],
)
def test_the_models_list_filters_and_its_export_follows(as_user, more_models, params, expected):
    client = as_user("coordinator")
    codes = {"SYT", "CAT", "21028"}
    query = {key: unit(value).pk if value in codes else value for key, value in params.items()}
    if query.get("model_type") == "second":
        query["model_type"] = more_models["ended"].model_type_id
    response = listed(client, "activities:models", query)
    shown = {key for key, m in more_models.items() if m in response.context["models"]}
    assert shown == expected
    summary = response.context["summary"]
    chosen = [more_models[key] for key in expected]
    assert summary["total"] == len(chosen)
    assert summary["male"] == sum(m.members_male for m in chosen)
    assert summary["female"] == sum(m.members_female for m in chosen)
    rows = sheet_rows(client.get(reverse("activities:models_export"), query))
    assert sorted(row[0] for row in rows) == sorted(m.name for m in chosen)


def test_the_models_export_has_numbers_and_dates(as_user, acts):
    client = as_user("reporter")
    [row] = sheet_rows(client.get(reverse("activities:models_export")))
    model = acts["model"]
    assert row[:7] == [
        model.name,
        model.model_type.name,
        "Phường Cẩm Thành",
        "Sở Y tế",
        model.host,
        datetime.datetime(2024, 3, 8),
        "Đang hoạt động",
    ]
    assert row[7:10] == [3, 9, None]


def test_a_unit_lists_only_its_own_models(as_user, more_models):
    client = as_user("outsider")
    response = listed(client, "activities:models")
    assert list(response.context["models"]) == [more_models["ended"]]
    assert [r[0] for r in sheet_rows(client.get(reverse("activities:models_export")))] == [
        more_models["ended"].name
    ]


def test_a_bad_filter_shows_a_message_and_lists_nothing(as_user, acts):
    response = listed(as_user("coordinator"), "activities:models", {"status": "lost"})
    assert list(response.context["models"]) == []
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()


def test_replicating_starts_a_prefilled_model_that_points_to_its_source(as_user, acts):
    client = as_user("coordinator")
    source = acts["model"]
    url = reverse("activities:model_replicate", args=[source.pk])
    page = client.get(url)
    assert page.context["form"].initial["name"] == source.name
    assert page.context["form"].initial["model_type"] == source.model_type_id
    assert "nhân rộng từ “Địa chỉ tin cậy của Hội Phụ nữ”" in page.content.decode()
    data = model_data(
        acts,
        name="Địa chỉ tin cậy phường Nghĩa Lộ",
        unit=unit("21028").pk,
        commune=unit("21028").pk,
        established_on=TODAY.isoformat(),
    )
    data.pop("expected_version")
    assert client.post(url, data).status_code == 302
    replica = CommunityModel.objects.get(name="Địa chỉ tin cậy phường Nghĩa Lộ")
    assert replica.replicated_from == source
    assert replica.unit.code == "21028"
    assert Event.objects.for_object(replica).get().changes["replicated_from"] == [
        None,
        source.name,
    ]
    detail = client.get(reverse("activities:model", args=[source.pk]))
    assert list(detail.context["replicas"]) == [replica]


def test_a_review_is_recorded_with_its_author_and_shown(as_user, acts):
    client = as_user("reporter")
    model = acts["model"]
    url = reverse("activities:model_review_new", args=[model.pk])
    data = {"reviewed_on": "2025-12-01", "assessment": "fair", "note": "Cần thêm kinh phí"}
    assert client.post(url, data).status_code == 302
    review = ModelReview.objects.get(note="Cần thêm kinh phí")
    assert (review.model, review.reviewed_by) == (model, acts["people"]["reporter"])
    assert Event.objects.for_object(review).get().action == Action.CREATE
    body = client.get(reverse("activities:model", args=[model.pk])).content.decode()
    assert "Có hiệu quả, cần củng cố" in body and "Cần thêm kinh phí" in body


@pytest.mark.parametrize(
    ("reviewed_on", "message"),
    [
        ((TODAY + datetime.timedelta(days=1)).isoformat(), "không được sau hôm nay"),
        ("2020-01-01", "không được trước ngày thành lập"),
    ],
)
def test_a_bad_review_date_changes_nothing(as_user, acts, reviewed_on, message):
    client = as_user("reporter")
    url = reverse("activities:model_review_new", args=[acts["model"].pk])
    response = client.post(url, {"reviewed_on": reviewed_on, "assessment": "good"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ModelReview.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"members_female": "-3"}, "Không được nhập số âm."),
        ({"established_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "sau hôm nay"),
        ({"name": ""}, "bắt buộc"),
        ({"commune": "0"}, "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_model_input_changes_nothing(as_user, acts, changes, message):
    client = as_user("reporter")
    model = acts["model"]
    before = CommunityModel.objects.values().get(pk=model.pk)
    response = client.post(
        reverse("activities:model_edit", args=[model.pk]), model_data(acts, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CommunityModel.objects.values().get(pk=model.pk) == before
    assert not Event.objects.for_object(model).exists()


def test_a_version_conflict_keeps_what_was_typed(client, acts):
    model = acts["model"]
    url = reverse("activities:model_edit", args=[model.pk])
    client.force_login(acts["people"]["coordinator"])
    assert client.post(url, model_data(acts, host="Hội Phụ nữ phường")).status_code == 302
    client.force_login(acts["people"]["reporter"])
    typed = model_data(acts, host="Hội Phụ nữ và Đoàn Thanh niên")  # from version 1
    response = client.post(url, typed)
    body = response.content.decode()
    assert response.status_code == 200
    assert "người khác đã lưu thay đổi" in body
    assert "Hội Phụ nữ và Đoàn Thanh niên" in body
    model.refresh_from_db()
    assert (model.host, model.version) == ("Hội Phụ nữ phường", 2)
    again = {**typed, "expected_version": response.context["form"].data["expected_version"]}
    assert client.post(url, again).status_code == 302
    model.refresh_from_db()
    assert (model.host, model.version) == ("Hội Phụ nữ và Đoàn Thanh niên", 3)


# -- Model types ------------------------------------------------------------------------------


def test_a_model_type_in_use_cannot_be_deleted(as_user, acts):
    client = as_user("coordinator")
    used = acts["model"].model_type
    url = reverse("activities:model_types")
    response = client.post(url, {"pk": used.pk, "delete": "1"}, follow=True)
    assert ModelType.objects.filter(pk=used.pk).exists()
    assert "đang được 1 mô hình sử dụng nên không thể xóa" in response.content.decode()
    assert not Event.objects.for_object(used).exists()


def test_the_coordinator_adds_renames_and_deletes_unused_model_types(as_user, acts):
    client = as_user("coordinator")
    url = reverse("activities:model_types")
    assert client.post(url, {"name": "Câu lạc bộ thủ lĩnh của sự thay đổi"}).status_code == 302
    added = ModelType.objects.get(name="Câu lạc bộ thủ lĩnh của sự thay đổi")
    assert (
        client.post(url, {"pk": added.pk, "name": "CLB thủ lĩnh của sự thay đổi"}).status_code
        == 302
    )
    added.refresh_from_db()
    assert added.name == "CLB thủ lĩnh của sự thay đổi"
    assert client.post(url, {"pk": added.pk, "delete": "1"}).status_code == 302
    assert not ModelType.objects.filter(pk=added.pk).exists()
    changes = [e.changes["name"] for e in Event.objects.for_object(added).order_by("pk")]
    assert changes == [
        [None, "Câu lạc bộ thủ lĩnh của sự thay đổi"],
        ["Câu lạc bộ thủ lĩnh của sự thay đổi", "CLB thủ lĩnh của sự thay đổi"],
        ["CLB thủ lĩnh của sự thay đổi", None],
    ]


def test_a_duplicate_model_type_name_is_refused(as_user, acts):
    client = as_user("coordinator")
    url = reverse("activities:model_types")
    used = acts["model"].model_type
    other = ModelType.objects.exclude(pk=used.pk).first()
    response = client.post(url, {"pk": other.pk, "name": used.name})
    assert response.status_code == 200
    assert "Đã có loại mô hình mang tên này." in response.content.decode()
    assert ModelType.objects.get(pk=other.pk).name == other.name
    response = client.post(url, {"name": used.name})
    assert "Đã có loại mô hình mang tên này." in response.content.decode()
    assert ModelType.objects.count() == 2


def test_only_the_coordinator_changes_model_types(as_user, acts):
    client = as_user("approver")
    url = reverse("activities:model_types")
    assert client.post(url, {"name": "Mô hình mới"}).status_code == 403
    assert client.post(url, {"pk": ModelType.objects.last().pk, "delete": "1"}).status_code == 403
    assert ModelType.objects.count() == 2


# -- Inspections ------------------------------------------------------------------------------


def inspection_data(acts, **changes):
    inspection = acts["inspection"]
    data = {
        "unit": inspection.unit_id,
        "title": inspection.title,
        "inspected_units": [u.pk for u in inspection.inspected_units.all()],
        "planned_on": inspection.planned_on.isoformat(),
        "status": inspection.status,
        "visited_on": "",
        "findings": "",
        "follow_up": "",
        "follow_up_due": "",
        "expected_version": inspection.version,
    }
    return {**data, **changes}


def test_recording_the_visit_is_audited(as_user, acts):
    client = as_user("reporter")
    inspection = acts["inspection"]
    data = inspection_data(
        acts,
        status="done",
        visited_on="2025-09-03",
        findings="Chưa có số liệu tách biệt theo giới",
        follow_up="Bổ sung số liệu theo giới trong báo cáo năm",
        follow_up_due="2025-12-31",
    )
    url = reverse("activities:inspection_edit", args=[inspection.pk])
    assert client.post(url, data).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DONE
    assert inspection.visited_on == datetime.date(2025, 9, 3)
    assert inspection.follow_up_due == datetime.date(2025, 12, 31)
    changes = Event.objects.for_object(inspection).get().changes
    assert changes["visited_on"] == [None, "2025-09-03"]
    assert changes["status"] == ["planned", "done"]


def test_a_new_inspection_belongs_to_the_unit(as_user, acts):
    client = as_user("commune_reporter")
    data = inspection_data(acts, title="Kiểm tra các thôn", unit=unit("SYT").pk)
    data.pop("expected_version")
    assert client.post(reverse("activities:inspection_new"), data).status_code == 302
    assert Inspection.objects.get(title="Kiểm tra các thôn").unit.code == "21025"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "done"}, "Hãy ghi ngày đã kiểm tra."),
        ({"visited_on": "2025-09-03"}, "hãy chọn tình trạng “Đã kiểm tra”"),
        ({"follow_up_due": "2025-12-31"}, "Ghi nội dung kiến nghị trước khi đặt hạn khắc phục."),
        (
            {
                "status": "done",
                "visited_on": "2025-09-03",
                "follow_up": "Bổ sung",
                "follow_up_due": "2025-09-01",
            },
            "Hạn khắc phục không được trước ngày kiểm tra.",
        ),
        ({"inspected_units": []}, "Chọn ít nhất một đơn vị được kiểm tra."),
        (
            {"status": "done", "visited_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "Ngày kiểm tra không được sau hôm nay.",
        ),
    ],
)
def test_bad_inspection_input_changes_nothing(as_user, acts, changes, message):
    client = as_user("reporter")
    inspection = acts["inspection"]
    url = reverse("activities:inspection_edit", args=[inspection.pk])
    response = client.post(url, inspection_data(acts, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    inspection.refresh_from_db()
    assert (inspection.status, inspection.visited_on, inspection.version) == ("planned", None, 1)
    assert not Event.objects.for_object(inspection).exists()


@pytest.fixture
def follow_ups(acts):
    """An overdue follow-up, a closed one past its due date, and one still in time."""
    base = {"unit": unit("SYT"), "planned_on": datetime.date(2025, 3, 1)}
    late = Inspection.objects.create(
        title="Kiểm tra A",
        status=InspectionStatus.DONE,
        visited_on=datetime.date(2025, 3, 2),
        follow_up="Khắc phục",
        follow_up_due=TODAY - datetime.timedelta(days=1),
        **base,
    )
    closed = Inspection.objects.create(
        title="Kiểm tra B",
        status=InspectionStatus.CLOSED,
        visited_on=datetime.date(2025, 3, 2),
        follow_up="Khắc phục",
        follow_up_due=TODAY - datetime.timedelta(days=30),
        **base,
    )
    in_time = Inspection.objects.create(
        title="Kiểm tra C",
        status=InspectionStatus.DONE,
        visited_on=datetime.date(2025, 3, 2),
        follow_up="Khắc phục",
        follow_up_due=TODAY + datetime.timedelta(days=10),
        **base,
    )
    return late, closed, in_time


def test_overdue_follow_ups_are_marked_counted_and_filtered(as_user, acts, follow_ups):
    late, closed, in_time = follow_ups
    client = as_user("approver")
    response = listed(client, "activities:inspections")
    assert response.context["overdue"] == 1
    marked = {i.title for i in response.context["inspections"] if i.overdue}
    assert marked == {"Kiểm tra A"}
    assert response.content.decode().count("badge late") == 1
    only = listed(client, "activities:inspections", {"overdue": "on"})
    assert list(only.context["inspections"]) == [late]
    detail = client.get(reverse("activities:inspection", args=[late.pk])).content.decode()
    assert "quá hạn khắc phục" in detail
    rows = sheet_rows(client.get(reverse("activities:inspections_export"), {"overdue": "on"}))
    assert [(r[1], r[9]) for r in rows] == [("Kiểm tra A", "Có")]
    assert rows[0][8] == datetime.datetime.combine(late.follow_up_due, datetime.time())


def test_the_inspections_list_filters_by_year_status_and_unit(as_user, acts, follow_ups):
    client = as_user("coordinator")
    response = listed(client, "activities:inspections", {"year": 2025, "status": "planned"})
    assert list(response.context["inspections"]) == [acts["inspection"]]
    response = listed(client, "activities:inspections", {"unit": unit("SYT").pk})
    assert len(response.context["inspections"]) == 4
    response = listed(client, "activities:inspections", {"year": 2019})
    assert list(response.context["inspections"]) == []


# -- Commendations ----------------------------------------------------------------------------


def commendation_data(acts, **changes):
    commendation = acts["commendation"]
    data = {
        "unit": commendation.unit_id,
        "year": commendation.year,
        "nominee_kind": commendation.nominee_kind,
        "nominee": commendation.nominee,
        "nominee_position": "Bệnh viện Đa khoa tỉnh",
        "achievements": commendation.achievements,
        "form": commendation.form,
        "expected_version": commendation.version,
    }
    return {**data, **changes}


def test_only_the_coordinator_records_the_outcome(client, acts):
    commendation = acts["commendation"]
    url = reverse("activities:commendation_edit", args=[commendation.pk])
    client.force_login(acts["people"]["reporter"])
    form = client.get(url).context["form"]
    assert "outcome" not in form.fields and "decision" not in form.fields
    sneaky = commendation_data(acts, outcome="approved", decision="Quyết định số 1/QĐ-UBND")
    assert client.post(url, sneaky).status_code == 302
    commendation.refresh_from_db()
    assert (commendation.outcome, commendation.decision) == ("proposed", "")
    assert commendation.nominee_position == "Bệnh viện Đa khoa tỉnh"

    client.force_login(acts["people"]["coordinator"])
    data = commendation_data(acts, outcome="approved", expected_version=commendation.version)
    response = client.post(url, data)
    assert "Ghi số, ngày quyết định khen thưởng." in response.content.decode()
    data["decision"] = "Quyết định số 2150/QĐ-UBND ngày 20/12/2025"
    assert client.post(url, data).status_code == 302
    commendation.refresh_from_db()
    assert commendation.outcome == CommendationOutcome.APPROVED
    assert Event.objects.for_object(commendation).latest("pk").changes["outcome"] == [
        "proposed",
        "approved",
    ]

    client.force_login(acts["people"]["reporter"])
    assert client.get(url).status_code == 403
    detail = client.get(reverse("activities:commendation", args=[commendation.pk]))
    assert detail.context["can_edit"] is False
    assert "Đã có kết quả xét khen thưởng" in detail.content.decode()


def _budget_data(acts, **changes):
    data = {"year": 2025, "source": "commune", "description": "Hội nghị", "spent": "0"}
    return {**data, "planned": "0", "allocated": "0", **changes}


@pytest.mark.parametrize(
    ("name", "data", "model", "message"),
    [
        (
            "activities:model_new",
            lambda acts: model_data(acts, established_on="2025-06-30"),
            CommunityModel,
            "Phường Cẩm Thành không có hiệu lực vào ngày 30/06/2025.",
        ),
        (
            "activities:inspection_new",
            lambda acts: inspection_data(acts, planned_on="2025-03-01"),
            Inspection,
            "Phường Cẩm Thành không có hiệu lực vào ngày 01/03/2025.",
        ),
        (
            "activities:inspection_new",
            lambda acts: inspection_data(
                acts, planned_on="2025-07-01", status="done", visited_on="2025-06-20"
            ),
            Inspection,
            "Phường Cẩm Thành không có hiệu lực vào ngày 20/06/2025.",
        ),
        (
            "activities:commendation_new",
            lambda acts: commendation_data(acts, year=2024),
            Commendation,
            "Phường Cẩm Thành không có hiệu lực trong năm 2024.",
        ),
        (
            "activities:budget_new",
            lambda acts: _budget_data(acts, year=2024),
            BudgetLine,
            "Phường Cẩm Thành không có hiệu lực trong năm 2024.",
        ),
    ],
)
def test_a_unit_records_nothing_dated_before_it_existed(as_user, acts, name, data, model, message):
    """Phường Cẩm Thành was formed on 01/07/2025: a record of its own dated before would be counted
    for a unit that has no report in the rounds of that time."""
    client = as_user("commune_reporter")
    posted = data(acts)
    posted.pop("expected_version", None)
    response = client.post(reverse(name), posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not model.objects.filter(unit__code="21025").exists()


def test_model_names_and_hosts_say_no_address(as_user, acts):
    page = as_user("reporter").get(reverse("activities:model_new")).content.decode()
    assert page.count("Không ghi địa chỉ, vị trí của địa chỉ tin cậy, nhà tạm lánh") == 2


def test_a_replica_shows_its_source_by_name_only(as_user, acts):
    """The list and the export name the model a replica started from, never its host: the host of
    a trusted address can tell where it is."""
    source = acts["model"]
    CommunityModel.objects.create(
        name="Địa chỉ tin cậy của Đoàn Thanh niên",
        model_type=source.model_type,
        unit=unit("CAT"),
        commune=unit("21028"),
        host="Đoàn Thanh niên Công an tỉnh",
        established_on=TODAY,
        replicated_from=source,
    )
    client = as_user("outsider")  # Công an tỉnh: sees the replica, not the source
    page = client.get(reverse("activities:models")).content.decode()
    assert "nhân rộng từ Địa chỉ tin cậy của Hội Phụ nữ" in page and source.host not in page
    [row] = sheet_rows(client.get(reverse("activities:models_export")))
    assert row[10] == source.name and source.host not in row


def test_the_wording_of_statuses_and_outcomes(as_user, acts):
    client = as_user("reporter")
    assert (
        "Chưa kiểm tra (theo kế hoạch)"
        in client.get(reverse("activities:inspections")).content.decode()
    )
    assert InspectionStatus.PLANNED.label == "Chưa kiểm tra (theo kế hoạch)"
    assert CommendationOutcome.REJECTED.label == "Không được khen thưởng"


def test_bad_commendation_input_changes_nothing(as_user, acts):
    client = as_user("reporter")
    url = reverse("activities:commendation_new")
    data = commendation_data(acts, year=1990, achievements="")
    data.pop("expected_version")
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Năm phải từ 2000 đến" in body and "bắt buộc" in body
    assert Commendation.objects.count() == 1


def test_the_commendations_list_filters_and_exports(as_user, acts):
    Commendation.objects.create(
        unit=unit("SYT"),
        year=2024,
        nominee_kind="unit",
        nominee="Khoa Sản, Bệnh viện Đa khoa tỉnh",
        achievements="Sàng lọc bạo lực giới",
        form="Giấy khen của Giám đốc Sở",
        outcome=CommendationOutcome.APPROVED,
        decision="QĐ 12/QĐ-SYT",
    )
    client = as_user("reporter")
    response = listed(client, "activities:commendations", {"nominee_kind": "unit"})
    assert [c.nominee for c in response.context["commendations"]] == [
        "Khoa Sản, Bệnh viện Đa khoa tỉnh"
    ]
    response = listed(client, "activities:commendations", {"year": 2025})
    assert [c.nominee for c in response.context["commendations"]] == ["Bác sĩ Trần Thị Hạnh"]
    rows = sheet_rows(
        client.get(reverse("activities:commendations_export"), {"outcome": "approved"})
    )
    assert rows == [
        [
            2024,
            "Sở Y tế",
            "Tập thể",
            "Khoa Sản, Bệnh viện Đa khoa tỉnh",
            None,
            "Sàng lọc bạo lực giới",
            "Giấy khen của Giám đốc Sở",
            "Đã khen thưởng",
            "QĐ 12/QĐ-SYT",
        ]
    ]
