"""The catalogue pages: elements, categories, combos; who may see and change them."""

import pytest
from django.urls import reverse

from audit.models import Action, Event
from indicators.models import (
    Category,
    CategoryCombo,
    CategoryOptionCombo,
    DataElement,
    ValueType,
)
from reports.models import DataValue
from reports.tests.factories import make_form, open_round

pytestmark = [pytest.mark.django_db]


def url(name, *args):
    return reverse(f"indicators:{name}", args=args)


def element_data(element: DataElement, **changes) -> dict:
    data = {
        "code": element.code,
        "name": element.name,
        "short_name": element.short_name,
        "description": element.description,
        "value_type": element.value_type,
        "unit_of_measure": element.unit_of_measure,
        "aggregation": element.aggregation,
        "category_combo": element.category_combo_id,
    }
    return {**data, **changes}


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def free_element():
    """An element in no form and without values: everything may change."""
    return DataElement.objects.create(
        code="FREE_1",
        name="Chỉ tiêu tự do",
        value_type=ValueType.INTEGER,
        category_combo=CategoryCombo.objects.get(code="default"),
    )


def test_element_list_filters_and_shows_the_forms_using_each(coordinator_client):
    response = coordinator_client.get(url("elements"), {"q": "BDG_M1_LDQL"})
    elements = list(response.context["page"])
    assert [e.code for e in elements] == ["BDG_M1_LDQL"]
    assert {label for label, _url in elements[0].places} == {"BDG_6T v1", "BDG_NAM v1"}
    body = response.content.decode()
    assert "Giới tính" in body and "BDG_6T v1" in body

    response = coordinator_client.get(url("elements"), {"value_type": ValueType.BOOLEAN})
    types = {e.value_type for e in response.context["page"]}
    assert types == {ValueType.BOOLEAN}
    response = coordinator_client.get(url("elements"), {"q": "khong-co-chi-tieu-nay"})
    assert "Không có chỉ tiêu nào khớp bộ lọc." in response.content.decode()


def test_coordinator_creates_an_element_and_it_is_audited(coordinator_client):
    sex = CategoryCombo.objects.get(code="SEX")
    response = coordinator_client.post(
        url("element_new"),
        {
            "code": "NEW_EL",
            "name": "Số cán bộ được tập huấn",
            "value_type": ValueType.INTEGER,
            "unit_of_measure": "người",
            "aggregation": "sum",
            "category_combo": sex.pk,
        },
    )
    assert response.status_code == 302
    element = DataElement.objects.get(code="NEW_EL")
    event = Event.objects.for_object(element).get()
    assert event.action == Action.CREATE and event.changes["name"][1] == element.name
    response = coordinator_client.post(
        url("element_new"), {**element_data(element), "code": "có dấu cách"}
    )
    assert response.context["form"].errors["code"]


def test_a_free_element_may_change_type_and_combo(coordinator_client, free_element):
    sex = CategoryCombo.objects.get(code="SEX")
    data = element_data(free_element, value_type=ValueType.NUMBER, category_combo=sex.pk)
    assert coordinator_client.post(url("element_edit", free_element.pk), data).status_code == 302
    free_element.refresh_from_db()
    assert (free_element.value_type, free_element.category_combo) == (ValueType.NUMBER, sex)
    event = Event.objects.for_object(free_element).get()
    assert event.changes["value_type"] == ["integer", "number"]


def test_an_element_holding_values_keeps_its_type_and_combo(coordinator_client):
    form = make_form(rows=1, code="VALS", with_part=False)
    round_ = open_round(form, code="R-VALS")
    element = DataElement.objects.get(code="VALS_E000")
    DataValue.objects.create(
        submission=round_.submissions.first(),
        data_element=element,
        option_combo=element.category_combo.option_combos.first(),
        value="3",
    )
    default = CategoryCombo.objects.get(code="default")
    for change in [
        {"value_type": ValueType.TEXT},
        {"category_combo": default.pk},
        {"code": "VALS_RENAMED"},
    ]:
        response = coordinator_client.post(
            url("element_edit", element.pk), element_data(element, **change)
        )
        assert response.status_code == 200
        assert "Chỉ tiêu đã có số liệu" in response.content.decode()
    element.refresh_from_db()
    assert (element.code, element.value_type) == ("VALS_E000", ValueType.INTEGER)
    assert not Event.objects.for_object(element).exists()

    response = coordinator_client.post(
        url("element_edit", element.pk), element_data(element, name="Tên mới")
    )
    assert response.status_code == 302
    element.refresh_from_db()
    assert element.name == "Tên mới"


def test_an_element_in_a_published_form_keeps_its_type(coordinator_client):
    element = DataElement.objects.get(code="BDG_M1_LDQL")
    assert not element.values.exists()
    response = coordinator_client.post(
        url("element_edit", element.pk), element_data(element, value_type=ValueType.NUMBER)
    )
    assert "biểu mẫu đã ban hành" in response.content.decode()
    element.refresh_from_db()
    assert element.value_type == ValueType.INTEGER


def test_categories_are_created_with_their_options(coordinator_client):
    response = coordinator_client.post(
        url("category_new"),
        {"code": "AGE", "name": "Nhóm tuổi", "options": "Y0_15 | Dưới 16\nY16_ | Từ 16 trở lên\n"},
    )
    assert response.status_code == 302
    category = Category.objects.get(code="AGE")
    assert list(category.options.values_list("code", "name", "sort_order")) == [
        ("Y0_15", "Dưới 16", 0),
        ("Y16_", "Từ 16 trở lên", 1),
    ]
    event = Event.objects.for_object(category).get()
    assert event.changes["option_names"] == [None, ["Dưới 16", "Từ 16 trở lên"]]
    body = coordinator_client.get(url("categories")).content.decode()
    assert "Nhóm tuổi" in body and "Từ 16 trở lên" in body

    response = coordinator_client.post(
        url("category_new"),
        {"code": "BAD", "name": "Lỗi", "options": "chỉ có tên\nA | Một\nA | Trùng"},
    )
    errors = response.context["form"].errors["options"]
    assert errors == ["Dòng 1: cần “mã | tên”.", "Dòng 3: mã A bị trùng."]
    assert not Category.objects.filter(code="BAD").exists()


def test_a_combo_generates_its_option_combos(coordinator_client):
    coordinator_client.post(
        url("category_new"),
        {"code": "AGE", "name": "Nhóm tuổi", "options": "Y0 | Trẻ em\nY1 | Người lớn"},
    )
    sex, age = Category.objects.get(code="SEX"), Category.objects.get(code="AGE")
    response = coordinator_client.post(
        url("combo_new"),
        {"code": "AGE_SEX", "name": "Tuổi và giới tính", "categories": [sex.pk, age.pk]},
    )
    assert response.status_code == 302
    combo = CategoryCombo.objects.get(code="AGE_SEX")
    assert sorted(combo.option_combos.values_list("code", flat=True)) == [
        "Y0_FEMALE",
        "Y0_MALE",
        "Y1_FEMALE",
        "Y1_MALE",
    ]
    assert Event.objects.for_object(combo).get().action == Action.CREATE
    assert "Y1_FEMALE" in coordinator_client.get(url("combos")).content.decode()

    # The same categories again would duplicate every column code.
    response = coordinator_client.post(
        url("combo_new"), {"code": "AGAIN", "name": "Lặp", "categories": [age.pk, sex.pk]}
    )
    assert "Đã có tổ hợp" in response.content.decode()
    assert not CategoryCombo.objects.filter(code="AGAIN").exists()
    assert CategoryOptionCombo.objects.filter(code="Y0_MALE").count() == 1


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("coordinator", 200, 200),
        ("leader", 200, 403),
        ("admin", 200, 403),
        ("reporter", 200, 403),
        ("approver", 200, 403),
        ("case_worker", 403, 403),
    ],
)
def test_who_may_read_and_change_the_catalogue(client, personas, persona, read, write):
    client.force_login(personas[persona])
    element = DataElement.objects.first()
    for name in ["elements", "categories", "combos"]:
        assert client.get(url(name)).status_code == read, name
    for target in [
        url("element_new"),
        url("element_edit", element.pk),
        url("category_new"),
        url("combo_new"),
    ]:
        assert client.get(target).status_code == write, target
    if write == 403:
        data = element_data(element, name="Đổi trộm")
        assert client.post(url("element_edit", element.pk), data).status_code == 403
        element.refresh_from_db()
        assert element.name != "Đổi trộm"


def test_anonymous_is_sent_to_the_login_page(client):
    assert client.get(url("elements")).status_code == 302
