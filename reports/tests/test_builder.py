"""The form builder: building a form through the views, versions, JSON round trip, access."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from indicators.models import Category, CategoryCombo, DataElement, ValueType
from reports.exchange.formjson import export_form
from reports.models import Form, FormStatus, Question, Round, Row, Section, SectionKind

pytestmark = [pytest.mark.django_db]


def url(name, *args):
    return reverse(f"reports:{name}", args=args)


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def element(code, combo="SEX", value_type=ValueType.INTEGER):
    return DataElement.objects.create(
        code=code,
        name=f"Chỉ tiêu {code}",
        value_type=value_type,
        category_combo=CategoryCombo.objects.get(code=combo),
        unit_of_measure="người",
    )


def structure(form: Form) -> list:
    """The exported sections: what a version or an import must reproduce."""
    return export_form(form)["forms"][0]["sections"]


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def in_use():
    form = Form.objects.get(code="BDG_6T")
    assert form.in_use and form.status == FormStatus.PUBLISHED
    return form


# ---------------------------------------------------------------------------------------------
# Building a form


def test_coordinator_builds_a_form_end_to_end(coordinator_client):
    client = coordinator_client
    response = client.post(
        url("builder_new"), {"code": "BDG_QUY", "name": "Báo cáo quý", "description": "Gửi sớm."}
    )
    form = Form.objects.get(code="BDG_QUY")
    assert response.url == url("builder_form", form.pk)
    assert (form.version, form.status) == (1, FormStatus.DRAFT)

    client.post(
        url("builder_section_add", form.pk),
        {"section-number": "I", "section-title": "Kết quả thực hiện", "section-kind": "narrative"},
    )
    narrative = form.sections.get()
    client.post(
        url("builder_question_add", narrative.pk),
        {f"q{narrative.pk}-text": "Kết quả nổi bật?", f"q{narrative.pk}-required": "on"},
    )
    client.post(
        url("builder_question_add", narrative.pk),
        {f"q{narrative.pk}-text": "Khó khăn?", f"q{narrative.pk}-code": "QUY_KK"},
    )
    assert list(narrative.questions.values_list("code", "required")) == [
        ("BDG_QUY_Q1", True),
        ("QUY_KK", False),
    ]

    sex = CategoryCombo.objects.get(code="SEX")
    client.post(
        url("builder_section_add", form.pk),
        {
            "section-number": "II",
            "section-title": "Số liệu",
            "section-kind": "table",
            "section-category_combo": sex.pk,
        },
    )
    table = form.sections.get(kind=SectionKind.TABLE)
    total, part = element("QUY_TOTAL"), element("QUY_PART")
    prefix = f"r{table.pk}"
    client.post(
        url("builder_row_add", table.pk),
        {f"{prefix}-data_element": total.pk, f"{prefix}-required": "on"},
    )
    total_row = table.rows.get()
    client.post(
        url("builder_row_add", table.pk),
        {
            f"{prefix}-data_element": part.pk,
            f"{prefix}-label": "Trong đó: người dân tộc thiểu số",
            f"{prefix}-part_of": total_row.pk,
        },
    )
    part_row = table.rows.get(data_element=part)
    assert part_row.part_of == total_row and part_row.order == 1

    # htmx: the move answers with the builder partial, not a whole page.
    response = client.post(url("builder_move", "section", table.pk, "up"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="builder"' in body and "<html" not in body
    assert list(form.sections.values_list("kind", flat=True)) == ["table", "narrative"]
    client.post(url("builder_move", "row", part_row.pk, "up"))
    assert list(table.rows.values_list("data_element__code", flat=True)) == [
        "QUY_PART",
        "QUY_TOTAL",
    ]
    client.post(url("builder_delete", "question", narrative.questions.get(code="QUY_KK").pk))
    assert narrative.questions.count() == 1

    page = client.get(url("builder_form", form.pk)).content.decode()
    assert "Kết quả nổi bật?" in page and "Trong đó: người dân tộc thiểu số" in page

    response = client.post(url("builder_publish", form.pk))
    form.refresh_from_db()
    assert form.status == FormStatus.PUBLISHED, said(response)
    assert form.cell_count() == 4
    events = Event.objects.for_object(form)
    # created, 2 sections, 2 questions, 2 rows, 2 moves, 1 delete, published
    assert events.count() == 11
    assert events.first().changes == {"status": ["draft", "published"]}


def test_invalid_input_is_shown_on_the_page(coordinator_client):
    form = Form.objects.create(code="F_ERR", name="Biểu lỗi")
    response = coordinator_client.post(
        url("builder_section_add", form.pk), {"section-title": "", "section-kind": "table"}
    )
    assert response.status_code == 200 and not form.sections.exists()
    assert response.context["section_form"].errors["title"]
    response = coordinator_client.post(url("builder_new"), {"code": "BDG_6T", "name": "Trùng"})
    assert "Đã có biểu mẫu mã này" in response.content.decode()
    response = coordinator_client.post(url("builder_new"), {"code": "có dấu", "name": "x"})
    assert response.context["form"].errors["code"]


def test_a_row_must_match_the_table_columns_and_appear_once(coordinator_client):
    form = Form.objects.create(code="F_ROW", name="Biểu dòng")
    table = Section.objects.create(
        form=form,
        title="Bảng",
        kind=SectionKind.TABLE,
        category_combo=CategoryCombo.objects.get(code="SEX"),
    )
    plain, sexed = element("ROW_PLAIN", combo="default"), element("ROW_SEX")
    prefix = f"r{table.pk}"
    response = coordinator_client.post(
        url("builder_row_add", table.pk), {f"{prefix}-data_element": plain.pk}
    )
    assert response.status_code == 200 and not table.rows.exists()  # not offered, so invalid
    for _ in range(2):
        coordinator_client.post(
            url("builder_row_add", table.pk), {f"{prefix}-data_element": sexed.pk}
        )
    assert table.rows.count() == 1


def test_publishing_is_refused_with_reasons(coordinator_client):
    form = Form.objects.create(code="F_PUB", name="Biểu chưa xong")
    response = coordinator_client.post(url("builder_publish", form.pk))
    assert "Biểu mẫu chưa có phần nào." in said(response)

    table = Section.objects.create(
        form=form,
        title="Bảng giới",
        kind=SectionKind.TABLE,
        category_combo=CategoryCombo.objects.get(code="SEX"),
    )
    Row.objects.create(section=table, data_element=element("PUB_PLAIN", combo="default"))
    Section.objects.create(form=form, order=1, title="Bảng trống", kind=SectionKind.TABLE)
    response = coordinator_client.post(url("builder_publish", form.pk))
    message = said(response)
    assert "PUB_PLAIN" in message and "khác với cột của bảng" in message
    assert "Bảng “Bảng trống” chưa có dòng nào." in message
    form.refresh_from_db()
    assert form.status == FormStatus.DRAFT


# ---------------------------------------------------------------------------------------------
# A form in use is never changed: new versions


def test_editing_an_in_use_form_is_refused(coordinator_client, in_use):
    before = structure(in_use)
    narrative = in_use.sections.filter(kind=SectionKind.NARRATIVE).first()
    row = Row.objects.filter(section__form=in_use).first()
    attempts = [
        (url("builder_section_add", in_use.pk), {"section-title": "Mới", "section-kind": "table"}),
        (url("builder_question_add", narrative.pk), {f"q{narrative.pk}-text": "Thêm?"}),
        (url("builder_move", "row", row.pk, "down"), {}),
        (url("builder_delete", "row", row.pk), {}),
        (url("builder_delete", "section", narrative.pk), {}),
    ]
    for target, data in attempts:
        response = coordinator_client.post(target, data)
        assert response.status_code == 302
        assert "Hãy tạo phiên bản mới." in said(response)
    response = coordinator_client.get(url("builder_edit", in_use.pk))
    assert response.status_code == 302
    assert structure(in_use) == before
    page = coordinator_client.get(url("builder_form", in_use.pk)).content.decode()
    assert "Tạo phiên bản mới để sửa" in page and "Thêm phần" not in page


def test_new_version_copies_the_form_and_rounds_keep_theirs(coordinator_client, in_use):
    response = coordinator_client.post(url("builder_new_version", in_use.pk))
    copy_ = Form.objects.get(code="BDG_6T", version=2)
    assert response.url == url("builder_form", copy_.pk)
    assert (copy_.status, copy_.based_on) == (FormStatus.DRAFT, in_use)
    assert structure(copy_) == structure(in_use)
    assert Round.objects.get(code="BDG-2025S1").form == in_use
    assert Event.objects.for_object(copy_).get().changes["copied_from"][1] == str(in_use)

    coordinator_client.post(
        url("builder_section_add", copy_.pk),
        {"section-title": "Phần bổ sung", "section-kind": "narrative"},
    )
    assert copy_.sections.count() == in_use.sections.count() + 1

    response = coordinator_client.post(url("builder_new_version", in_use.pk))
    assert "đang soạn" in said(response)
    assert Form.objects.filter(code="BDG_6T").count() == 2


def test_retire_a_published_form(coordinator_client, in_use):
    coordinator_client.post(url("builder_retire", in_use.pk))
    in_use.refresh_from_db()
    assert in_use.status == FormStatus.RETIRED
    response = coordinator_client.post(url("builder_retire", in_use.pk))
    assert "Chỉ ngừng sử dụng" in said(response)


# ---------------------------------------------------------------------------------------------
# JSON export and import


def _upload(data: bytes, name="bieu-mau.json"):
    return SimpleUploadedFile(name, data, content_type="application/json")


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_export_then_import_round_trip(coordinator_client):
    form = Form.objects.get(code="BDG_NAM")
    response = coordinator_client.get(url("builder_export", form.pk))
    assert response["Content-Disposition"] == 'attachment; filename="BDG_NAM_v1.json"'
    payload = json.loads(response.content)
    counts = (Form.objects.count(), DataElement.objects.count(), Section.objects.count())

    dry = coordinator_client.post(url("builder_import"), {"file": _upload(response.content)})
    plan = dry.context["plan"]
    assert [(f["code"], f["version"]) for f in plan.forms] == [("BDG_NAM", 2)]
    assert plan.elements == [] and plan.warnings == []
    assert (Form.objects.count(), DataElement.objects.count(), Section.objects.count()) == counts

    applied = coordinator_client.post(url("builder_import"), {"payload": dry.context["payload"]})
    copy_ = Form.objects.get(code="BDG_NAM", version=2)
    assert applied.url == url("builder_form", copy_.pk)
    assert copy_.status == FormStatus.DRAFT and copy_.based_on == form
    assert structure(copy_) == payload["forms"][0]["sections"]
    assert Event.objects.for_object(copy_).exists()


def test_import_of_a_new_form_lists_the_new_catalogue_entries(coordinator_client):
    payload = export_form(Form.objects.get(code="BDG_6T"))
    payload["forms"][0]["code"] = "BDG_KHAC"
    payload["catalogue"]["categories"].append(
        {"code": "AGE3", "name": "Nhóm tuổi", "options": [{"code": "Y", "name": "Trẻ"}]}
    )
    payload["catalogue"]["combos"].append({"code": "AGE3", "name": "Tuổi", "categories": ["AGE3"]})
    payload["catalogue"]["elements"].append(
        {"code": "KHAC_1", "name": "Chỉ tiêu khác", "value_type": "integer", "combo": "AGE3"}
    )
    payload["forms"][0]["sections"].append(
        {"title": "Theo tuổi", "kind": "table", "combo": "AGE3", "rows": [{"element": "KHAC_1"}]}
    )
    data = json.dumps(payload).encode()
    plan = coordinator_client.post(url("builder_import"), {"file": _upload(data)}).context["plan"]
    assert (plan.categories, plan.combos, plan.elements) == (["AGE3"], ["AGE3"], ["KHAC_1"])
    assert not DataElement.objects.filter(code="KHAC_1").exists()
    assert not Category.objects.filter(code="AGE3").exists()
    coordinator_client.post(url("builder_import"), {"payload": data.decode()})
    new = Form.objects.get(code="BDG_KHAC")
    assert (new.version, new.status) == (1, FormStatus.DRAFT)
    assert CategoryCombo.objects.get(code="AGE3").option_combos.count() == 1


def _bad_payloads():
    good = {
        "catalogue": {"categories": [], "combos": [], "elements": []},
        "forms": [
            {
                "code": "BAD",
                "name": "Biểu xấu",
                "sections": [
                    {"title": "Bảng", "kind": "table", "rows": [{"element": "BDG_HD_KP"}]}
                ],
            }
        ],
    }

    def variant(change):
        payload = json.loads(json.dumps(good))
        change(payload)
        return json.dumps(payload).encode()

    def section(payload):
        return payload["forms"][0]["sections"][0]

    return {
        "not json": (b"{khong phai json", "không phải JSON hợp lệ"),
        "not utf-8": ("{}".encode("utf-16"), "không phải văn bản UTF-8"),
        "a list": (b"[]", "không chứa biểu mẫu"),
        "no forms": (b'{"forms": []}', "đang trống"),
        "no sections": (variant(lambda p: p["forms"][0].pop("sections")), "thiếu danh sách phần"),
        "bad kind": (variant(lambda p: section(p).update(kind="chart")), "loại phần không hợp lệ"),
        "questions in a table": (
            variant(lambda p: section(p).update(questions=[{"code": "Q", "text": "?"}])),
            "bảng số liệu chỉ có dòng",
        ),
        "unknown element": (
            variant(lambda p: section(p)["rows"].append({"element": "KHONG_CO"})),
            "không đúng cấu trúc",
        ),
        "unknown part_of": (
            variant(lambda p: section(p)["rows"][0].update(part_of="KHONG_CO")),
            "không đúng cấu trúc",
        ),
        "unknown combo": (variant(lambda p: section(p).update(combo="KHONG_CO")), "cấu trúc"),
        "bad value type": (
            variant(
                lambda p: p["catalogue"]["elements"].append(
                    {"code": "X1", "name": "x", "value_type": "color", "combo": "default"}
                )
            ),
            "Kiểu giá trị không hợp lệ",
        ),
        "code too long": (
            variant(lambda p: p["forms"][0].update(code="C" * 60)),
            "tối đa 50",
        ),
        "odd form code": (variant(lambda p: p["forms"][0].update(code='a"b c')), "chỉ được gồm"),
        "catalogue not a dict": (variant(lambda p: p.update(catalogue=[1])), "catalogue"),
        "too big": (b" " * (2 * 1024 * 1024 + 1), "Tệp quá lớn"),
    }


@pytest.mark.parametrize("case", list(_bad_payloads()))
def test_a_bad_file_is_refused_with_a_clear_message_and_creates_nothing(coordinator_client, case):
    data, expected = _bad_payloads()[case]
    counts = (Form.objects.count(), DataElement.objects.count(), Section.objects.count())
    response = coordinator_client.post(url("builder_import"), {"file": _upload(data)})
    assert response.status_code == 200
    errors = " ".join(response.context["errors"])
    assert expected in errors, errors
    assert "plan" not in response.context
    assert (Form.objects.count(), DataElement.objects.count(), Section.objects.count()) == counts
    # The same text posted as a confirmation is checked again, never applied blindly.
    if case != "not utf-8":
        text = data.decode("utf-8", errors="replace")
        response = coordinator_client.post(url("builder_import"), {"payload": text})
        assert response.status_code == 200 and response.context["errors"]
    assert (Form.objects.count(), DataElement.objects.count(), Section.objects.count()) == counts


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_reporter_reads_published_forms_only_and_never_the_builder(client, reporter, in_use):
    draft = Form.objects.create(code="NHAP", name="Biểu nháp")
    section = Section.objects.create(form=draft, title="Phần", kind=SectionKind.NARRATIVE)
    client.force_login(reporter)
    for target in [url("builder_list"), url("builder_new"), url("builder_import")]:
        assert client.get(target).status_code == 403, target
    for target in [
        url("builder_publish", draft.pk),
        url("builder_new_version", in_use.pk),
        url("builder_section_add", in_use.pk),
        url("builder_delete", "section", section.pk),
    ]:
        assert client.post(target).status_code == 403, target
    assert client.get(url("builder_form", draft.pk)).status_code == 404
    assert client.get(url("builder_export", draft.pk)).status_code == 404
    page = client.get(url("builder_form", in_use.pk))
    assert page.status_code == 200 and "Thêm phần" not in page.content.decode()
    assert client.get(url("builder_export", in_use.pk)).status_code == 200


def test_leader_reads_but_does_not_write(client, leader, in_use):
    client.force_login(leader)
    assert client.get(url("builder_list")).status_code == 200
    assert client.get(url("builder_form", in_use.pk)).status_code == 200
    assert client.get(url("builder_new")).status_code == 403
    assert client.post(url("builder_retire", in_use.pk)).status_code == 403
    in_use.refresh_from_db()
    assert in_use.status == FormStatus.PUBLISHED


def test_case_worker_and_anonymous_are_kept_out(client, case_worker, in_use):
    assert client.get(url("builder_form", in_use.pk)).status_code == 302
    client.force_login(case_worker)
    assert client.get(url("builder_form", in_use.pk)).status_code == 403
    assert client.get(url("builder_list")).status_code == 403


def test_unknown_part_kinds_and_directions_are_not_found(coordinator_client):
    form = Form.objects.create(code="F_KIND", name="x")
    section = Section.objects.create(form=form, title="Phần", kind=SectionKind.NARRATIVE)
    question = Question.objects.create(section=section, code="Q", text="?")
    assert coordinator_client.post(url("builder_delete", "form", form.pk)).status_code == 404
    target = url("builder_move", "question", question.pk, "sideways")
    assert coordinator_client.post(target).status_code == 404
