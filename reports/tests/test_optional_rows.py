"""Optional rows: the form's author lets a row's cells stay empty at the submit; the flag is set
in the builder, travels with the form's JSON and its next version, and is refused on a form in
use."""

import pytest
from django.urls import reverse

from audit.models import Event
from indicators.models import CategoryCombo, DataElement, ValueType
from reports.exchange.formjson import export_form
from reports.models import Form, Row, SectionKind
from reports.services import builder

pytestmark = [pytest.mark.django_db]


def url(name, *args):
    return reverse(f"reports:{name}", args=args)


@pytest.fixture
def draft(coordinator):
    form = builder.create_form(actor=coordinator, code="OPT", name="Biểu có dòng tùy chọn")
    table = builder.add_section(
        form=form,
        actor=coordinator,
        title="Số liệu",
        kind=SectionKind.TABLE,
        category_combo=CategoryCombo.objects.get(code="SEX"),
    )
    for code in ("OPT_A", "OPT_B"):
        DataElement.objects.create(
            code=code,
            name=code,
            value_type=ValueType.INTEGER,
            category_combo=CategoryCombo.objects.get(code="SEX"),
        )
    return form, table


def test_a_row_is_made_optional_in_the_builder_and_back(client, coordinator, draft):
    form, table = draft
    client.force_login(coordinator)
    prefix = f"r{table.pk}"
    a, b = DataElement.objects.get(code="OPT_A"), DataElement.objects.get(code="OPT_B")
    client.post(url("builder_row_add", table.pk), {f"{prefix}-data_element": a.pk})
    client.post(
        url("builder_row_add", table.pk),
        {f"{prefix}-data_element": b.pk, f"{prefix}-optional": "on"},
    )
    assert dict(table.rows.values_list("data_element__code", "optional")) == {
        "OPT_A": False,
        "OPT_B": True,
    }
    row = table.rows.get(data_element=a)
    response = client.post(
        url("builder_row_optional", row.pk), {"optional": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Đặt bắt buộc" in response.content.decode()
    assert Row.objects.get(pk=row.pk).optional
    assert Event.objects.for_object(form).latest("id").changes["optional"] == [False, True]
    client.post(url("builder_row_optional", row.pk), {"optional": "0"})
    assert not Row.objects.get(pk=row.pk).optional


def test_the_flag_travels_with_the_json_and_the_next_version(client, coordinator, draft):
    form, table = draft
    builder.add_row(
        section=table, actor=coordinator, data_element=DataElement.objects.get(code="OPT_A")
    )
    builder.add_row(
        section=table,
        actor=coordinator,
        data_element=DataElement.objects.get(code="OPT_B"),
        optional=True,
    )
    rows = export_form(form)["forms"][0]["sections"][0]["rows"]
    assert [(r["element"], r["optional"]) for r in rows] == [("OPT_A", False), ("OPT_B", True)]
    builder.publish_form(form=form, actor=coordinator)
    copy = builder.new_version(form=form, actor=coordinator)
    assert dict(
        Row.objects.filter(section__form=copy).values_list("data_element__code", "optional")
    ) == {"OPT_A": False, "OPT_B": True}
    # A published form is not changed in place, the flag included.
    client.force_login(coordinator)
    row = Row.objects.get(section__form=form, data_element__code="OPT_A")
    client.post(url("builder_row_optional", row.pk), {"optional": "1"})
    assert not Row.objects.get(pk=row.pk).optional


def test_only_the_coordinator_changes_the_flag(client, reporter, leader, draft):
    form, table = draft
    row = Row.objects.create(section=table, data_element=DataElement.objects.get(code="OPT_A"))
    for user in (reporter, leader):
        client.force_login(user)
        assert (
            client.post(url("builder_row_optional", row.pk), {"optional": "1"}).status_code == 403
        )
    assert not Row.objects.get(pk=row.pk).optional
    assert Form.objects.get(pk=form.pk).status == "draft"
